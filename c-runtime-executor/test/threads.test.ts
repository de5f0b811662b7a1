import type { DelayServer } from "@ch08/delayserver";
import { capturePrintln } from "@ch08/http";
import { currentThread, JoinTimeoutError, ThreadFailedError } from "@ch08/std";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Executor, type ExecutorThread, runtime } from "../dist/index.js";
import { fiveRequests, immediateRequests } from "./helpers/programs.mjs";
import { silencePrintln, sleep, startServer } from "./helpers/server.js";

let server: DelayServer;
let executor: Executor;
const programs = new URL("./helpers/programs.mjs", import.meta.url);

beforeAll(async () => {
  server = await startServer();
  silencePrintln();
  executor = runtime.init();
});

afterAll(async () => {
  runtime.shutdown();
  capturePrintln(undefined);
  await server?.close();
});

/** Resolves when `thread`'s worker has exited; terminates it if it lingers past `ms`. */
async function exited(thread: ExecutorThread, ms = 3000): Promise<number> {
  const exit = new Promise<number>((resolve) => thread.worker.once("exit", resolve));
  const timer = setTimeout(() => void thread.terminate(), ms);
  const code = await exit;
  clearTimeout(timer);
  return code;
}

describe("executors on threads", () => {
  it("four executor threads and the main one each finish their own five tasks", async () => {
    // counts[0..4]: requests answered per executor; counts[5..9]: each one's thread slot.
    const counts = new Int32Array(new SharedArrayBuffer(10 * Int32Array.BYTES_PER_ELEMENT));
    const threads: ExecutorThread[] = [];
    for (let k = 1; k <= 4; k++) {
      threads.push(
        runtime.spawnExecutorThread(`exec-${k}`, programs, "fiveRequests", [counts, k, 50]),
      );
    }
    const exits = threads.map((t) => exited(t, 10_000));
    const program = fiveRequests(counts, 0, 50);
    expect(executor.blockOn(program, { timeoutMs: 10_000 })).toBe("");
    for (const thread of threads) thread.join(10_000);
    expect(Array.from(counts.subarray(0, 5))).toEqual([5, 5, 5, 5, 5]);
    // Five executors, five different threads, each with its own slot (its own ready queue).
    const slots = Array.from(counts.subarray(5)).reverse();
    expect(slots[0]).toBe(currentThread().slot);
    expect(new Set(slots).size).toBe(5);
    expect(await Promise.all(exits)).toEqual([0, 0, 0, 0]);
  });

  it("a program that imports the stage by its package name spawns on its thread's executor", async () => {
    const counts = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const byName = new URL("./helpers/package-program.mjs", import.meta.url);
    const thread = runtime.spawnExecutorThread("exec-by-name", byName, "oneRequest", [counts, 0]);
    const exit = exited(thread, 10_000);
    thread.join(10_000);
    expect(counts[0]).toBe(1);
    expect(await exit).toBe(0);
  });

  it("join says which thread failed when its program cannot be found", async () => {
    const thread = runtime.spawnExecutorThread("exec-missing", programs, "noSuchExport");
    expect(() => thread.join(10_000)).toThrow(ThreadFailedError);
    expect(await exited(thread)).toBe(0);
  });

  it("join gives up after its timeout while the thread's executor still waits", async () => {
    const thread = runtime.spawnExecutorThread("exec-never", programs, "never");
    await sleep(10);
    expect(() => thread.join(100)).toThrow(JoinTimeoutError);
    // It is parked in Atomics.wait: terminating it ends it (once it has loaded, which
    // `terminate` waits for: a worker ended while koffi loads aborts the process).
    await thread.terminate();
  });

  it("answers that come at once are never lost, on five executors at the same time", async () => {
    // A leaf future that registered its socket before storing its waker lost these: the
    // reactor saw the answer first, found no waker, and edge-triggered epoll never said
    // it again (the book's threads example hung this way, one run in a few).
    const n = 200;
    const counts = new Int32Array(new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT));
    const threads: ExecutorThread[] = [];
    for (let k = 1; k <= 4; k++) {
      threads.push(
        runtime.spawnExecutorThread(`exec-${k}`, programs, "immediateRequests", [counts, k, n]),
      );
    }
    // Listen for the exits now: a thread may be gone before the joins below return.
    const exits = threads.map((thread) => exited(thread, 20_000));
    executor.blockOn(immediateRequests(counts, 0, n), { timeoutMs: 20_000 });
    for (const thread of threads) thread.join(20_000);
    expect([...counts]).toEqual([n, n, n, n, n]);
    expect(await Promise.all(exits)).toEqual([0, 0, 0, 0]);
  });
});
