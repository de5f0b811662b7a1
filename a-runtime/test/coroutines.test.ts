import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type DelayServer, startDelayServerThread } from "@ch08/delayserver";
import { NotAFutureError, UnreachableError } from "@ch08/http";
import { PolledAfterReadyError } from "@ch08/std";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asyncMain,
  asyncMainGenerator,
  BOOK_PATHS,
  coroutine,
  type Future,
  Http,
  NOT_READY,
  Runtime,
  wait,
} from "../dist/index.js";
import { capturedPrintln, freePort, maskDate } from "./helpers.js";

let server: DelayServer;
const out = capturedPrintln();

beforeAll(async () => {
  server = await startDelayServerThread({ port: 0, quiet: true });
  process.env.DELAYSERVER = server.address;
});

afterAll(async () => {
  await server?.close();
});

/** Runs `future` on a fresh runtime; returns what it printed, the Date header masked. */
function run<T>(future: Future<T>): { output: string; value: T; waits: number } {
  out.clear();
  const runtime = new Runtime();
  try {
    const value = runtime.blockOn(future, { timeoutMs: 10_000 });
    return { output: maskDate(out.text()), value, waits: runtime.waits };
  } finally {
    runtime.close();
  }
}

function response(message: string): string {
  return [
    "HTTP/1.1 200 OK",
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${message.length}`,
    "Date: <masked>",
    "Connection: close",
    "",
    message,
  ].join("\r\n");
}

// The book's program, scaled down (the delays are arguments; main.ts uses the book's).
const PATHS: [string, string] = ["/300/HelloAsyncAwait", "/200/HelloAsyncAwait"];

const EXPECTED = [
  "Program starting",
  "FIRST POLL - START OPERATION",
  "Schedule other tasks",
  "",
  response("HelloAsyncAwait"),
  "FIRST POLL - START OPERATION",
  "Schedule other tasks",
  "",
  response("HelloAsyncAwait"),
  "",
].join("\n");

describe("async_main, as corofy writes it and as a generator", () => {
  it("the book's paths are /600/HelloAsyncAwait then /400/HelloAsyncAwait", () => {
    expect(BOOK_PATHS).toEqual(["/600/HelloAsyncAwait", "/400/HelloAsyncAwait"]);
  });

  it("the state machine prints the book's output and takes both delays, one after the other", () => {
    const started = performance.now();
    const { output, value, waits } = run(asyncMain(PATHS));
    expect(performance.now() - started).toBeGreaterThanOrEqual(500);
    expect(output).toBe(EXPECTED);
    expect(value).toBe("");
    // One sleep in epoll_wait per request: the runtime does not spin.
    expect(waits).toBe(2);
  });

  it("the generator prints exactly the same", () => {
    const started = performance.now();
    const { output, value, waits } = run(asyncMainGenerator(PATHS));
    expect(performance.now() - started).toBeGreaterThanOrEqual(500);
    expect(output).toBe(EXPECTED);
    expect(value).toBe("");
    expect(waits).toBe(2);
  });

  it("both are lazy: nothing is printed until the first poll", () => {
    out.clear();
    asyncMain(PATHS);
    asyncMainGenerator(PATHS);
    expect(out.text()).toBe("");
  });

  it("a resolved state machine or coroutine refuses another poll", () => {
    const machine = asyncMain(["/0/a", "/0/b"]);
    const generator = asyncMainGenerator(["/0/a", "/0/b"]);
    run(machine);
    run(generator);
    expect(() => machine.poll()).toThrow(PolledAfterReadyError);
    expect(() => generator.poll()).toThrow(PolledAfterReadyError);
    expect(() => machine.poll()).toThrow(/polled a resolved future/);
    expect(() => generator.poll()).toThrow(/polled a resolved coroutine/);
  });
});

describe("coroutine()", () => {
  it("resumes the body with each awaited output, in order; the return value is the output", () => {
    const future = coroutine(function* () {
      const lengths: number[] = [];
      for (const message of ["one", "three", "seventeen"]) {
        const text = yield* wait(Http.get(`/20/${message}`));
        lengths.push(text.length);
        expect(text.endsWith(`\r\n\r\n${message}`)).toBe(true);
      }
      return lengths;
    });
    const { value } = run(future);
    expect(value).toHaveLength(3);
  });

  it("an awaited future's error is raised at the yield, so try/catch in the body works", async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const future = coroutine(function* () {
      const saved = process.env.DELAYSERVER;
      process.env.DELAYSERVER = dead;
      const failing = Http.get("/0/x");
      process.env.DELAYSERVER = saved;
      try {
        yield* wait(failing);
        return "no error";
      } catch (error) {
        expect(error).toBeInstanceOf(UnreachableError);
        // The body goes on after the failure.
        return yield* wait(Http.get("/0/recovered"));
      }
    });
    const { value } = run(future);
    expect(value.endsWith("\r\n\r\nrecovered")).toBe(true);
  });

  it("an error the body does not catch fails blockOn", async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const saved = process.env.DELAYSERVER;
    process.env.DELAYSERVER = dead;
    const failing = Http.get("/0/x");
    process.env.DELAYSERVER = saved;
    const future = coroutine(function* () {
      return yield* wait(failing);
    });
    expect(() => run(future)).toThrow(UnreachableError);
  });

  it("a body that yields a Promise fails at that yield with NotAFutureError, which it can catch", () => {
    const future = coroutine(function* () {
      try {
        yield Promise.resolve("never waited for") as unknown as Future<string>;
        return "no error";
      } catch (error) {
        expect(error).toBeInstanceOf(NotAFutureError);
        expect(String(error)).toMatch(/yielded a Promise, not a Future: .*yield\* wait\(future\)/);
        return yield* wait(Http.get("/0/after"));
      }
    });
    expect(run(future).value.endsWith("\r\n\r\nafter")).toBe(true);
  });

  it("an async function* body is refused at its first poll, where it used to spin for ever", async () => {
    // Its steps are Promises: the coroutine read each as the next awaited future, failed to
    // poll it, threw that into the generator, got another Promise... never returning, so
    // not even blockOn's deadline ended it. In a child process, so the old code fails here.
    const script = `
      const { Runtime, coroutine } = await import(${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)});
      const runtime = new Runtime();
      try { runtime.blockOn(coroutine(async function* () { return 1; }), { timeoutMs: 1000 }); }
      catch (error) { console.log(error.name + ": " + error.message); }`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--input-type=module", "-e", script],
      { timeout: 10_000 },
    );
    expect(stdout).toMatch(
      /^NotAGeneratorError: coroutine\(body\): body\(\) returned an async generator \(is the body an async function\*\?\)/,
    );
  });

  it("close() ends when the awaited future's close comes back to the coroutine", () => {
    // As two tasks awaiting each other's JoinHandles do in stage c: closing one closes the
    // other, which closes the first again. It used to recurse until the stack overflowed.
    let closes = 0;
    const outer: Future<number> = coroutine(function* () {
      return yield* wait<number>({
        poll: () => NOT_READY,
        close() {
          closes++;
          outer.close?.();
        },
      });
    });
    outer.poll();
    expect(() => outer.close?.()).not.toThrow();
    expect(closes).toBe(1);
  });
});
