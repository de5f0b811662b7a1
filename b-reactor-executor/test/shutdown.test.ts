import type { DelayServer } from "@ch08/delayserver";
import { currentThread, threadTable } from "@ch08/std";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Http, OutsideRuntimeError, runtime, Waker } from "../dist/index.js";
import { capture, mioEpollFds, openFds, startServer } from "./helpers/index.js";

// The reactor is one per process: `init` starts its thread, `shutdown` stops it and
// closes what it opened. Outside that window, using it is an error that says what to do.

let server: DelayServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  runtime.shutdown();
  await server.close();
});

/** The fds that are not plain files (epoll, eventfd, pipes, sockets): what a runtime opens. */
function runtimeFds(): Map<string, string> {
  const fds = openFds();
  for (const [fd, target] of fds) if (target.startsWith("/")) fds.delete(fd);
  return fds;
}

/** Resolves when `done()` holds, checking every few ms; false after `timeoutMs`. */
async function eventually(done: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

function sameFds(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [fd, target] of a) if (b.get(fd) !== target) return false;
  return true;
}

/** Whether the reactor runs on epoll (the default), not on the poll(2) backend. */
const EPOLL = process.env.MIO_BACKEND !== "poll";

function count(resources: string[], name: string): number {
  return resources.filter((r) => r === name).length;
}

describe("outside a runtime", () => {
  // This file's first test: nothing has called runtime.init() in this process yet.
  it("before init: reactor(), Http.get and the thread table throw OutsideRuntimeError", () => {
    expect(() => runtime.reactor()).toThrow(OutsideRuntimeError);
    expect(() => runtime.reactor()).toThrow(/runtime\.init\(\)/);
    expect(() => Http.get("/10/x")).toThrow(OutsideRuntimeError);
    expect(() => currentThread()).toThrow(OutsideRuntimeError);
    expect(() => threadTable()).toThrow(OutsideRuntimeError);
  });

  it("after shutdown: reactor() and Http.get throw OutsideRuntimeError again", () => {
    const executor = runtime.init();
    const printed = capture();
    let early: ReturnType<typeof Http.get> | undefined;
    try {
      expect(executor.blockOn(Http.get("/10/inside"), { timeoutMs: 5000 })).toContain("inside");
      // Made inside the runtime, first polled after it is gone.
      early = Http.get("/10/early");
      runtime.shutdown();
      expect(() => runtime.reactor()).toThrow(OutsideRuntimeError);
      expect(() => Http.get("/10/x")).toThrow(OutsideRuntimeError);
      const late = early;
      expect(() => executor.blockOn(late, { timeoutMs: 1000 })).toThrow(OutsideRuntimeError);
    } finally {
      printed.release();
      early?.close();
    }
  });

  it("a future polled inside the runtime closes quietly after shutdown", () => {
    runtime.init();
    const printed = capture();
    const waiting = Http.get("/60000/outlived");
    try {
      // Polled once by hand: connected, registered, its waker stored — then the runtime ends.
      expect(waiting.poll(new Waker(currentThread(), 0)).ready).toBe(false);
      runtime.shutdown();
      // Nothing of it is left in the stopped reactor to release: close() frees its socket
      // and says nothing (it threw OutsideRuntimeError, which `using` would have thrown too).
      expect(() => waiting.close()).not.toThrow();
    } finally {
      printed.release();
      waiting.close();
    }
  });
});

describe("init and shutdown", () => {
  it("init is idempotent: one reactor per process until shutdown", () => {
    runtime.init();
    const first = runtime.reactor();
    runtime.init();
    expect(runtime.reactor()).toBe(first);
    runtime.shutdown();
    runtime.shutdown(); // a second shutdown has nothing left to stop
    runtime.init();
    expect(runtime.reactor()).not.toBe(first);
    runtime.shutdown();
  });

  it("a shutdown right after init (thread maybe not started yet) leaves a working runtime", () => {
    for (let i = 0; i < 5; i++) {
      runtime.init();
      runtime.shutdown();
    }
    const executor = runtime.init();
    const printed = capture();
    try {
      expect(executor.blockOn(Http.get("/10/again"), { timeoutMs: 5000 })).toContain("again");
    } finally {
      printed.release();
      runtime.shutdown();
    }
  });

  it("leaves no fd, thread or handle behind: the epoll fd is closed, the thread gone", async () => {
    // Let the threads of the tests above finish leaving.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fdsBefore = runtimeFds();
    const resourcesBefore = process.getActiveResourcesInfo();

    expect(mioEpollFds()).toEqual([]);
    const executor = runtime.init();
    // The reactor's epoll instance, holding its stop waker (an eventfd). (With
    // MIO_BACKEND=poll there is none: the check below on every fd still holds.)
    expect(mioEpollFds()).toHaveLength(EPOLL ? 1 : 0);
    // The reactor thread never keeps the process alive by itself.
    expect(count(process.getActiveResourcesInfo(), "Worker")).toBe(
      count(resourcesBefore, "Worker"),
    );
    const printed = capture();
    try {
      executor.blockOn(Http.get("/10/fds"), { timeoutMs: 5000 });
    } finally {
      printed.release();
    }

    runtime.shutdown();
    // shutdown itself closes the epoll fd (and the eventfd with it).
    expect(mioEpollFds()).toEqual([]);
    // The thread's own fds (its libuv loop) go when it has exited.
    expect(await eventually(() => sameFds(runtimeFds(), fdsBefore))).toBe(true);
    expect(process.getActiveResourcesInfo().sort()).toEqual([...resourcesBefore].sort());
    expect(() => runtime.reactor()).toThrow(OutsideRuntimeError);
  });
});
