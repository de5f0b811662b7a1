import { Executor, useReadyQueues } from "./runtime/executor.js";
import { REACTOR, start } from "./runtime/reactor.js";

export {
  type BlockOnOptions,
  DeadlineError,
  JoinHandle,
  OutsideRuntimeError,
  TaskFailedError,
  ThreadFailedError,
  ThreadStartError,
} from "@ch08/std";
export {
  Executor,
  type ExecutorThread,
  spawn,
  spawnExecutorThread,
  Waker,
} from "./runtime/executor.js";
export {
  type ReactorStats,
  reactor,
  WAKER_CAPACITY,
} from "./runtime/reactor.js";

/**
 * Starts the reactor thread (once per process) and returns an executor for this thread.
 * On a thread started by `spawnExecutorThread` it joins the process's reactor instead.
 */
export function init(): Executor {
  useReadyQueues(start().queues);
  return new Executor();
}

/** Stops the reactor thread, so the process can end; `init` starts a new one. */
export function shutdown(): void {
  REACTOR.stop();
}
