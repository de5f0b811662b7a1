import { Worker } from "node:worker_threads";
import { traceBuffers } from "@ch08/trace";
import { ThreadState } from "./control.js";
import { handle } from "./reactor.js";
import { guardStart, waitUntilLoaded } from "./thread.js";

/** An executor running on a thread of its own (Rust: a `JoinHandle<()>` from `thread::spawn`). */
export interface ExecutorThread {
  /** The thread's name, printed by its executor (`exec-1`, …). */
  readonly name: string;
  /** The worker behind it. */
  readonly worker: Worker;
  /** Blocks until the thread's executor has finished; throws if it failed or `timeoutMs` passed. */
  join(timeoutMs?: number): void;
  /**
   * Ends the thread, once it has loaded (bounded wait): a worker terminated while koffi
   * loads in it aborts the whole process. Use this, not `worker.terminate()`.
   */
  terminate(): Promise<number>;
}

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
  guardStart(state);
  return {
    name,
    worker,
    join(timeoutMs?: number): void {
      // The main thread's event loop may not turn while it waits: wait on shared memory.
      const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
      for (;;) {
        const now = Atomics.load(state, 0);
        if (now === ThreadState.FINISHED) return;
        if (now === ThreadState.FAILED) {
          throw new Error(`executor thread ${name} failed (its error is on stderr)`);
        }
        const remaining = deadline === undefined ? undefined : deadline - performance.now();
        if (remaining !== undefined && remaining <= 0) {
          throw new Error(`executor thread ${name} did not finish within ${timeoutMs} ms`);
        }
        Atomics.wait(state, 0, now, remaining);
      }
    },
    terminate(): Promise<number> {
      waitUntilLoaded(state);
      return worker.terminate();
    },
  };
}
