import { describe, expect, it } from "vitest";
import {
  Interest,
  MAX_TOKEN,
  Poll,
  type Registry,
  type Source,
  Token,
  Waker,
} from "../src/index.js";

// `pnpm typecheck` compiles this file: each @ts-expect-error below fails the typecheck if
// the line under it ever compiles, which is how these tests fail. The function is never
// called, so the swapped registrations never reach the OS.
function misuses(registry: Registry, source: Source): void {
  // @ts-expect-error the interest where the token goes, and the token where the interest goes
  registry.register(source, Interest.READABLE, Token(1));
  // @ts-expect-error the same swap on reregister
  registry.reregister(source, Interest.WRITABLE, Token(1));
  // @ts-expect-error a bare number is not a token: say Token(1)
  registry.register(source, 1, Interest.READABLE);
  // @ts-expect-error a bare `|` gives a number, not an Interest: use Interest.add
  registry.register(source, Token(1), Interest.READABLE | Interest.WRITABLE);
  // @ts-expect-error an Interest is not a token for a Waker either
  new Waker(registry, Interest.READABLE);
}

describe("Token and Interest", () => {
  it("are distinct types, so the misuses above do not compile", () => {
    // The assertion that matters is the typecheck of `misuses`; here, only that it exists.
    expect(typeof misuses).toBe("function");
  });

  it("Token(n) accepts u32 values and refuses others with a RangeError that says how", () => {
    expect(Token(0)).toBe(0);
    expect(Token(MAX_TOKEN)).toBe(0xffff_ffff);
    expect(() => Token(-1)).toThrow(/token must be an integer in \[0, 2\^32\), got -1/);
    expect(() => Token(2 ** 32)).toThrow(RangeError);
    expect(() => Token(1.5)).toThrow(RangeError);
  });

  it("Interest.add and Interest.remove combine and split interests", () => {
    const both = Interest.add(Interest.READABLE, Interest.WRITABLE);
    expect(Interest.isReadable(both) && Interest.isWritable(both)).toBe(true);
    expect(Interest.remove(both, Interest.WRITABLE)).toBe(Interest.READABLE);
    expect(Interest.remove(Interest.READABLE, Interest.READABLE)).toBeNull();
  });

  it("a registration with a good token and interest works end to end", () => {
    const poll = new Poll();
    try {
      const waker = new Waker(poll.registry(), Token(9));
      expect(waker.token).toBe(9);
      waker.close();
    } finally {
      poll.close();
    }
  });
});
