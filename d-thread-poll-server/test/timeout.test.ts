import { readdirSync, readlinkSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type CoroutineBody,
  coroutine,
  type Future,
  NOT_READY,
  NotAFutureError,
  NotAPollStateError,
  ready,
  wait,
} from "../dist/future.js";
import { Http } from "../dist/http.js";
import { initSingleThreaded, type SingleThreaded } from "../dist/runtime/local.js";
import { startServer } from "../dist/server/start.js";
import { sleep } from "../dist/sleep.js";
import { TimeoutError, timeout } from "../dist/timeout.js";
import type { ThreadPollServer } from "../src/server/options.js";
import { silencePrintln } from "./helpers/println.js";

/** How many sockets this process holds open. */
function openSockets(): number {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:");
    } catch {
      return false; // the directory's own fd, gone by now
    }
  }).length;
}

/** Runs `body` to the end on `rt` (10 s deadline) and returns what it caught, if anything. */
function caught(rt: SingleThreaded, body: CoroutineBody<void>): unknown {
  let error: unknown;
  rt.executor.blockOn(
    coroutine(function* () {
      try {
        yield* body();
      } catch (e) {
        error = e;
      }
    }),
    { timeoutMs: 10_000 },
  );
  return error;
}

describe("timeout: a request bounded by a timer (stage d has them; a–c do not)", () => {
  let server: ThreadPollServer;
  let rt: SingleThreaded | undefined;
  silencePrintln();
  beforeAll(async () => {
    // Our server on worker threads: it answers while this thread blocks in blockOn.
    server = await startServer({ port: 0, quiet: true });
    process.env.DELAYSERVER = server.address;
  });
  afterAll(async () => {
    delete process.env.DELAYSERVER;
    await server?.close();
  });
  afterEach(() => {
    rt?.close();
    rt = undefined;
  });

  it("an answer inside the limit is the output, and the timer's waker slot is given back", () => {
    rt = initSingleThreaded({ verbose: false });
    let text = "";
    const error = caught(rt, function* () {
      text = String(yield* wait(timeout(Http.get("/50/in-time"), 5_000)));
    });
    expect(error).toBeUndefined();
    expect(text).toMatch(/200 OK[\s\S]*in-time$/);
    // The 5 s deadline is still in the heap; when it comes, it finds no waker.
    expect(rt.reactor.stats().dropped).toBe(0);
  });

  it("an answer slower than the limit fails with TimeoutError at the limit, and the socket is closed", async () => {
    rt = initSingleThreaded({ verbose: false });
    const before = openSockets();
    const started = performance.now();
    const error = caught(rt, function* () {
      yield* wait(timeout(Http.get("/3000/too-slow"), 150, "GET /3000/too-slow"));
    });
    const took = performance.now() - started;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toMatch(
      /^GET \/3000\/too-slow was not ready after 150 ms, so it was given up and closed/,
    );
    expect(took).toBeGreaterThanOrEqual(150);
    expect(took).toBeLessThan(2_000); // not the 3 s the server would have taken
    // The client's socket is closed by now. The server runs in this process too (on its own
    // threads), and its side of the connection closes once it has seen the client's FIN:
    // on a busy machine that can take a moment, so wait for it (bounded).
    const deadline = performance.now() + 2_000;
    while (openSockets() !== before && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(openSockets()).toBe(before);
  });

  it("a server that accepts and never answers: the wait ends at the limit instead of never", async () => {
    // A listener whose JavaScript never runs while this thread is in blockOn: the kernel
    // completes the handshake from its backlog and takes the request, and nothing answers.
    const silent: Server = createServer();
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    try {
      rt = initSingleThreaded({ verbose: false });
      process.env.DELAYSERVER = `127.0.0.1:${port}`; // read when the request is made
      const request = Http.get("/0/x");
      process.env.DELAYSERVER = server.address;
      const error = caught(rt, function* () {
        yield* wait(timeout(request, 200));
      });
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).message).toMatch(/^the future was not ready after 200 ms/);
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("a poll that returns a Promise is refused at once, and the timer is given back", () => {
    // TypeScript refuses `async poll()` on a Future; JavaScript, or a cast, does not. Read
    // as "not ready", its Promise would hold the executor until the limit, then time out.
    // This one waits once (so the timer is set), then answers with a Promise.
    let polls = 0;
    const asyncLater = {
      poll(waker: { wake(): void }) {
        if (++polls === 1) {
          waker.wake();
          return NOT_READY;
        }
        return Promise.resolve(ready(1));
      },
    } as unknown as Future<number>;
    rt = initSingleThreaded({ verbose: false });
    const started = performance.now();
    const error = caught(rt, function* () {
      yield* wait(timeout(asyncLater, 100));
    });
    expect(error).toBeInstanceOf(NotAPollStateError);
    expect(polls).toBe(2);
    expect(performance.now() - started).toBeLessThan(100);
    // Its timer was closed: when the 100 ms deadline comes, it finds no waker to wake.
    rt.executor.blockOn(sleep(300), { timeoutMs: 5_000 });
    expect(rt.reactor.stats().dropped).toBe(1);
    expect(() =>
      rt?.executor.blockOn({ async poll() {} } as unknown as Future<void>, { timeoutMs: 5_000 }),
    ).toThrow(/returned a Promise \(is poll declared async\?\)/);
  });

  it("refuses what is not a future, and a limit that is not a number of ms, by name", () => {
    const promise = Promise.resolve(1) as unknown as Future<number>;
    expect(() => timeout(promise, 100)).toThrow(NotAFutureError);
    expect(() => timeout(promise, 100)).toThrow(/^timeout was given a Promise, not a Future/);
    expect(() => timeout({ poll: () => NOT_READY }, Number.NaN)).toThrow(
      /^timeout\(future, ms\) takes a number of milliseconds >= 0, got NaN$/,
    );
    expect(() => sleep("50" as unknown as number)).toThrow(/got "50"$/);
  });

  it("a limit that is never reached costs nothing later: no wake once the future is done", () => {
    rt = initSingleThreaded({ verbose: false });
    const error = caught(rt, function* () {
      yield* wait(timeout(Http.get("/0/quick"), 100));
      yield* wait(sleep(200)); // past the first limit: its deadline fires into an empty slot
    });
    expect(error).toBeUndefined();
    expect(rt.reactor.stats().dropped).toBe(1);
  });
});
