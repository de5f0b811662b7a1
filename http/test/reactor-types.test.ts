import { Interest, type TcpStream } from "@ch08/mio";
import { describe, expect, it } from "vitest";
import type { Reactor } from "../dist/index.js";

// `pnpm typecheck` compiles this file: the @ts-expect-error lines fail the typecheck if the
// line under them ever compiles. The book's reactor takes (stream, interest, id); ours takes
// mio's (stream, id, interest), and a branded Interest is what makes the book's order an error.
function swapped(reactor: Reactor<void>, stream: TcpStream): void {
  // @ts-expect-error the book's order: an id is not an Interest
  reactor.register(stream, Interest.READABLE, 1);
  // @ts-expect-error the same swap on reregister
  reactor.reregister(stream, Interest.READABLE, 1);
  reactor.register(stream, 1, Interest.READABLE);
}

describe("the stages' Reactor", () => {
  it("takes mio's argument order, so the book's order does not compile (see `swapped`)", () => {
    // What matters is the typecheck of `swapped`; it is never called, so nothing is registered.
    expect(typeof swapped).toBe("function");
  });
});
