import type { DelayServer } from "@ch08/delayserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  coroutine,
  DeadlineError,
  type Future,
  Http,
  joinAll,
  NOT_READY,
  ready,
  runtime,
  wait,
} from "../dist/index.js";
import { capture, freshRuntime, startServer } from "./helpers/index.js";

// Every blocking wait in a test has a deadline: a future that will not be ready in time
// ends with a DeadlineError that says what to check, not with a hung test run.

let server: DelayServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  runtime.shutdown();
  await server.close();
});

describe("blockOn with timeoutMs", () => {
  it("ends a wait that would never end (GET /60000/x, 300 ms) with a DeadlineError", () => {
    const executor = freshRuntime();
    const leaf = Http.get("/60000/never");
    const printed = capture();
    const started = performance.now();
    let error: unknown;
    try {
      executor.blockOn(leaf, { timeoutMs: 300 });
    } catch (e) {
      error = e;
    } finally {
      printed.release();
      // The leaf is abandoned: close its socket (and forget its token) ourselves.
      leaf.close();
    }
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(DeadlineError);
    expect(String(error)).toMatch(/300 ms.*Is the delayserver answering\?/);
    expect(elapsed).toBeGreaterThanOrEqual(300);
    // It slept through the wait: a poll at start, one when the time was up, plus one per
    // wake at most (the connection being set up may wake it once).
    const { wakes } = runtime.reactor().stats();
    expect(executor.polls).toBeLessThanOrEqual(2 + wakes);
    // Only real parks are counted: the executor gave up instead of parking a last time.
    expect(executor.parks).toBe(executor.polls - 1);
    expect(printed.lines.filter((l) => l.includes("Sleep until notified"))).toHaveLength(
      executor.parks,
    );
    expect(printed.lines).not.toContain("main: All tasks are finished");
  });

  it("leaves the runtime usable: the next blockOn completes", () => {
    const executor = runtime.init();
    const printed = capture();
    try {
      expect(executor.blockOn(Http.get("/20/after"), { timeoutMs: 5000 })).toContain("after");
    } finally {
      printed.release();
    }
  });

  it("catches a leaf future that never stores its waker (nothing will ever wake it)", () => {
    const executor = freshRuntime();
    let polls = 0;
    const forgetful: Future<string> = {
      poll: () => {
        polls++;
        return NOT_READY;
      },
    };
    const printed = capture();
    try {
      expect(() => executor.blockOn(forgetful, { timeoutMs: 100 })).toThrow(
        /Does every leaf future store its waker\?/,
      );
    } finally {
      printed.release();
    }
    // Polled at start and when the time was up: no waker, so nothing in between.
    expect(polls).toBe(2);
    expect(runtime.reactor().stats().wakes).toBe(0);
  });

  it("a waker handed to setTimeout never runs while blockOn holds the thread, and the error says so", () => {
    const executor = freshRuntime();
    let polls = 0;
    let timer: NodeJS.Timeout | undefined;
    const viaTimer: Future<string> = {
      poll: (waker) => {
        if (++polls === 1) timer = setTimeout(() => waker.wake(), 10);
        return NOT_READY;
      },
    };
    const printed = capture();
    try {
      expect(() => executor.blockOn(viaTimer, { timeoutMs: 200 })).toThrow(
        /a setTimeout never runs: they wait for Node's event loop/,
      );
    } finally {
      printed.release();
      clearTimeout(timer); // overdue, not yet run: it must not wake a later test's executor
    }
    expect(polls).toBe(2); // at start and at the deadline: the timer's wake never came
  });

  it("timeoutMs: 0 polls once and gives up without parking", () => {
    const executor = freshRuntime();
    const forgetful: Future<string> = { poll: () => NOT_READY };
    const printed = capture();
    try {
      expect(() => executor.blockOn(forgetful, { timeoutMs: 0 })).toThrow(DeadlineError);
    } finally {
      printed.release();
    }
    expect(executor.polls).toBe(1);
    expect(executor.parks).toBe(0);
    expect(printed.lines).toEqual([]);
  });
});

describe("a poll that returns no PollState", () => {
  it("is refused at once, for blockOn, joinAll and a coroutine alike, not parked on", () => {
    // TypeScript refuses `async poll()` on a Future; JavaScript, or a cast, does not. Read
    // as "not ready", its Promise would park the executor until the deadline.
    const asyncPoll = {
      async poll() {
        return ready(1);
      },
    } as unknown as Future<number>;
    const executor = freshRuntime();
    const printed = capture();
    try {
      const futures: Future<unknown>[] = [
        asyncPoll,
        joinAll([asyncPoll]),
        coroutine(() => wait(asyncPoll)),
      ];
      for (const future of futures) {
        expect(() => executor.blockOn(future, { timeoutMs: 5000 })).toThrow(
          /returned a Promise \(is poll declared async\?\)/,
        );
      }
      // A Promise given to blockOn is no future at all: refused by name.
      expect(() =>
        executor.blockOn(Promise.resolve(1) as unknown as Future<number>, { timeoutMs: 5000 }),
      ).toThrow(/^blockOn was given a Promise, not a Future/);
    } finally {
      printed.release();
    }
    expect(executor.parks).toBe(0);
  });

  it("a close() that throws as blockOn gives up does not hide the DeadlineError", () => {
    // The close's error used to replace it: the caller saw "cannot close", not why blockOn stopped.
    const executor = freshRuntime();
    const printed = capture();
    let closes = 0;
    const future: Future<number> = {
      poll: () => NOT_READY,
      close() {
        closes++;
        throw new Error("cannot close");
      },
    };
    try {
      expect(() => executor.blockOn(future, { timeoutMs: 50 })).toThrow(DeadlineError);
    } finally {
      printed.release();
    }
    expect(closes).toBe(1);
  });
});
