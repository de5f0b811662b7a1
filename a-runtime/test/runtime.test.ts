import { type DelayServer, startDelayServerThread } from "@ch08/delayserver";
import { Token, Waker } from "@ch08/mio";
import { AlreadyRunningError } from "@ch08/std";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  coroutine,
  DeadlineError,
  type Future,
  Http,
  joinAll,
  NOT_READY,
  NotAFutureError,
  NotAPollStateError,
  OutsideRuntimeError,
  type PollState,
  Runtime,
  ready,
  registry,
  wait,
} from "../dist/index.js";
import { capturedPrintln, clientSocketsTo, openFds, portOf, settle, stable } from "./helpers.js";

let server: DelayServer;
let port: number;
const out = capturedPrintln();

beforeAll(async () => {
  server = await startDelayServerThread({ port: 0, quiet: true });
  process.env.DELAYSERVER = server.address;
  port = portOf(server.address);
});

afterAll(async () => {
  await server?.close();
});

describe("outside a runtime", () => {
  it("registry() throws OutsideRuntimeError saying how to make one", () => {
    expect(() => registry()).toThrow(OutsideRuntimeError);
    expect(() => registry()).toThrow(/outside a runtime.*new Runtime\(\).*runtime\.blockOn/);
  });

  it("Http.get can be created (it is lazy) but polling it fails clearly and leaves no socket", () => {
    const future = Http.get("/0/outside");
    let caught: unknown;
    try {
      future.poll();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OutsideRuntimeError);
    expect(String(caught)).toContain("OutsideRuntimeError: called outside a runtime");
    expect(clientSocketsTo(port)).toBe(0);
  });

  it("after close() the registry is gone again", () => {
    const runtime = new Runtime();
    expect(registry()).toBeDefined();
    runtime.close();
    expect(() => registry()).toThrow(OutsideRuntimeError);
  });

  it("one runtime per thread at a time", () => {
    const runtime = new Runtime();
    try {
      expect(() => new Runtime()).toThrow(AlreadyRunningError);
      expect(() => new Runtime()).toThrow(/already has a Runtime: close\(\) it first/);
    } finally {
      runtime.close();
    }
    new Runtime().close();
  });
});

describe("blockOn", () => {
  it("a deadline: a future that never completes fails with DeadlineError, then its socket can be closed", () => {
    const runtime = new Runtime();
    const future = Http.get("/60000/never");
    try {
      const started = performance.now();
      let caught: unknown;
      try {
        runtime.blockOn(future, { timeoutMs: 300 });
      } catch (error) {
        caught = error;
      }
      expect(performance.now() - started).toBeGreaterThanOrEqual(295);
      expect(caught).toBeInstanceOf(DeadlineError);
      expect(String(caught)).toMatch(/gave up after 300 ms.*delayserver/);
      // Our end goes now; the in-process delayserver may close its end too, on our FIN.
      const fds = openFds();
      future.close();
      const afterClose = openFds();
      expect(afterClose).toBeLessThanOrEqual(fds - 1);
      future.close();
      expect(openFds()).toBeLessThanOrEqual(afterClose);
      expect(clientSocketsTo(port)).toBe(0);
    } finally {
      runtime.close();
    }
  });

  it("the deadline holds even when events keep coming", () => {
    const runtime = new Runtime();
    // A future that is never ready but makes the OS queue fire on every poll.
    const waker = new Waker(registry(), Token(1));
    let polls = 0;
    const started = performance.now();
    const busy: Future<string> = {
      poll(): PollState<string> {
        polls++;
        if (performance.now() - started > 5000) return { ready: true, value: "deadline ignored" };
        waker.wake();
        return NOT_READY;
      },
    };
    try {
      expect(() => runtime.blockOn(busy, { timeoutMs: 200 })).toThrow(DeadlineError);
      expect(polls).toBeGreaterThan(1);
    } finally {
      waker.close();
      runtime.close();
    }
  });

  it("sleeps in epoll_wait: CPU time across a 600 ms request is well below wall time", () => {
    const runtime = new Runtime();
    try {
      const cpu = process.cpuUsage();
      const started = performance.now();
      runtime.blockOn(Http.get("/600/HelloAsyncAwait"), { timeoutMs: 5000 });
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      console.log(
        `stage a blockOn GET /600/…: wall ${wallMs.toFixed(0)} ms, CPU ${cpuMs.toFixed(1)} ms ` +
          `(user ${(used.user / 1000).toFixed(1)}, system ${(used.system / 1000).toFixed(1)}), ` +
          `${runtime.waits} wait(s) in epoll_wait`,
      );
      expect(wallMs).toBeGreaterThanOrEqual(600);
      expect(cpuMs).toBeLessThan(wallMs * 0.5);
      expect(runtime.waits).toBeLessThanOrEqual(3);
    } finally {
      runtime.close();
    }
  });

  it("prints `Schedule other tasks` and a blank line before each sleep", () => {
    out.clear();
    const runtime = new Runtime();
    try {
      runtime.blockOn(Http.get("/50/x"), { timeoutMs: 5000 });
      const text = out.text();
      expect(text.startsWith("FIRST POLL - START OPERATION\nSchedule other tasks\n\n")).toBe(true);
      expect(text.split("Schedule other tasks\n\n").length - 1).toBe(runtime.waits);
    } finally {
      runtime.close();
    }
  });

  it("a future ready at the first poll never sleeps", () => {
    const runtime = new Runtime();
    try {
      expect(runtime.blockOn({ poll: () => ({ ready: true, value: 42 }) })).toBe(42);
      expect(runtime.waits).toBe(0);
    } finally {
      runtime.close();
    }
  });

  it("registers with the runtime's Poll: a socket registered directly wakes blockOn too", () => {
    const runtime = new Runtime();
    const waker = new Waker(registry(), Token(7));
    let polls = 0;
    const future: Future<number> = {
      poll(): PollState<number> {
        polls++;
        if (polls === 1) {
          waker.wake();
          return NOT_READY;
        }
        return { ready: true, value: polls };
      },
    };
    try {
      expect(runtime.blockOn(future, { timeoutMs: 5000 })).toBe(2);
      expect(runtime.waits).toBe(1);
    } finally {
      waker.close();
      runtime.close();
    }
  });
});

describe("a poll that returns no PollState", () => {
  // TypeScript refuses `async poll()` on a Future; JavaScript, or a cast, does not. Read as
  // "not ready", its Promise would leave blockOn asleep in epoll_wait with nothing to wake it.
  const asyncPoll = {
    async poll() {
      return ready(1);
    },
  } as unknown as Future<number>;

  it("is refused at once, for blockOn, joinAll and a coroutine alike, not slept on", () => {
    const runtime = new Runtime();
    try {
      const futures: Future<unknown>[] = [
        asyncPoll,
        joinAll([asyncPoll]),
        coroutine(() => wait(asyncPoll)),
      ];
      for (const future of futures) {
        const started = performance.now();
        expect(() => runtime.blockOn(future, { timeoutMs: 5000 })).toThrow(NotAPollStateError);
        expect(performance.now() - started).toBeLessThan(4000);
      }
      expect(runtime.waits).toBe(0);
      // A Promise given to blockOn is no future at all: refused by name, not "poll is not a function".
      expect(() =>
        runtime.blockOn(Promise.resolve(1) as unknown as Future<number>, { timeoutMs: 5000 }),
      ).toThrow(NotAFutureError);
    } finally {
      runtime.close();
    }
  });
});

describe("resources", () => {
  it("no fd leak across runtime create/close cycles with requests, good and failing", async () => {
    const cycle = (path: string, timeoutMs?: number): void => {
      const runtime = new Runtime();
      const future = Http.get(path);
      try {
        runtime.blockOn(future, timeoutMs === undefined ? {} : { timeoutMs });
      } catch (error) {
        if (!(error instanceof DeadlineError)) throw error;
      } finally {
        future.close();
        runtime.close();
      }
    };
    cycle("/0/warm-up");
    const before = await stable(openFds);
    for (let i = 0; i < 50; i++) cycle(`/0/cycle-${i}`);
    // Abandoned at a deadline: the client side must close. (The delayserver keeps its end of
    // a held request until the delay runs out, so these ask for a short one.)
    for (let i = 0; i < 5; i++) cycle("/400/abandoned", 20);
    expect(clientSocketsTo(port)).toBe(0);
    expect(await settle(openFds, before)).toBe(before);
  });
});
