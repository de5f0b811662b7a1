// biome-ignore-all assist/source/organizeImports: a line per step, so `pnpm diff` shows what each adds
import { Executor, type ExecutorOptions, useReadyQueues } from "./runtime/executor.js";
import { REACTOR, start } from "./runtime/reactor.js";

export { type BlockOnOptions, DeadlineError, OutsideRuntimeError } from "@ch08/std";
export { ThreadFailedError, ThreadStartError } from "@ch08/std";
export { JoinHandle, TaskFailedError } from "@ch08/std";
// Stage d's earlier names for the reactor thread's two failures: at start, and later.
export {
  ThreadFailedError as ReactorDiedError,
  ThreadStartError as ReactorStartError,
} from "@ch08/std";
export { Executor, Waker } from "./runtime/executor.js";
export { type ExecutorThread, spawn, spawnExecutorThread } from "./runtime/executor.js";
export type { ExecutorOptions } from "./runtime/executor.js";
export { type ReactorStats, reactor, WAKER_CAPACITY } from "./runtime/reactor.js";

/**
 * Starts the reactor thread (once per process) and returns an executor for this thread.
 * On a thread started by `spawnExecutorThread` it joins the process's reactor instead.
 */
export function init(options: ExecutorOptions = {}): Executor {
  useReadyQueues(start().queues);
  return new Executor(options);
}

/** Stops the reactor thread, so the process can end; `init` starts a new one. */
export function shutdown(): void {
  REACTOR.stop();
  useReadyQueues(undefined); // CHANGED in stage d: a later spawn here says it is outside a runtime
}
