import { Executor, type ExecutorOptions, useReadyQueues } from "./runtime/executor.js";
import { startOrAttach } from "./runtime/reactor.js";

export { DeadlineError, OutsideRuntimeError, TaskFailedError } from "./runtime/errors.js";
export {
  type BlockOnOptions,
  Executor,
  type ExecutorOptions,
  JoinHandle,
  spawn,
  Waker,
} from "./runtime/executor.js";
export { type ExecutorThread, spawnExecutorThread } from "./runtime/executor-thread.js";
export { type ReactorStats, reactor, stop as shutdown } from "./runtime/reactor.js";

/**
 * Starts the reactor thread (once per process) and returns an executor for this thread.
 * On a thread started by `spawnExecutorThread` it joins the process's reactor instead.
 */
export function init(options: ExecutorOptions = {}): Executor {
  useReadyQueues(startOrAttach().queues);
  return new Executor(options);
}
