import { Worker } from "node:worker_threads";
import { traceBuffers } from "@ch08/trace";
import { handle } from "./reactor.js";

/** An executor running on a thread of its own (Rust: a `JoinHandle<()>` from `thread::spawn`). */
export interface ExecutorThread {
  /** The thread's name, printed by its executor (`exec-1`, …). */
  readonly name: string;
  /** The worker behind it. */
  readonly worker: Worker;
  /** Blocks until the thread's executor has finished; throws if it failed or `timeoutMs` passed. */
  join(timeoutMs?: number): void;
}

/** The thread's state cell: running, finished, failed. */
export const RUNNING = 0;
export const FINISHED = 1;
export const FAILED = 2;

/**
 * Starts an executor on a new thread that runs `moduleUrl`'s export `exportName` —
 * a function returning the top-level future — with `executor.blockOn`.
 *
 * Rust hands `thread::spawn` a closure. A JavaScript closure cannot cross threads (each
 * thread is its own heap), so the new thread is told where the function lives instead,
 * and imports it. All executor threads share this process's one reactor.
 */
export function spawnExecutorThread(
  name: string,
  moduleUrl: URL | string,
  exportName: string,
  args: readonly unknown[] = [],
): ExecutorThread {
  const state = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const worker = new Worker(new URL("./executor-thread-main.js", import.meta.url), {
    workerData: {
      name,
      reactor: handle(),
      trace: traceBuffers(),
      module: String(moduleUrl),
      exportName,
      args,
      state: state.buffer,
    },
  });
  return {
    name,
    worker,
    join(timeoutMs?: number): void {
      // The main thread's event loop may not turn while it waits: wait on shared memory.
      if (Atomics.wait(state, 0, RUNNING, timeoutMs) === "timed-out") {
        throw new Error(`executor thread ${name} did not finish within ${timeoutMs} ms`);
      }
      if (Atomics.load(state, 0) === FAILED) {
        throw new Error(`executor thread ${name} failed (its error is on stderr)`);
      }
    },
  };
}
