import { Executor, type ExecutorOptions, useReadyQueues } from "./runtime/executor.js";
import { startOrAttach } from "./runtime/reactor.js";

export { OutsideRuntimeError } from "@ch08/std";
export {
  type BlockOnOptions,
  DeadlineError,
  Executor,
  type ExecutorOptions,
  type ExecutorThread,
  JoinHandle,
  spawn,
  spawnExecutorThread,
  TaskFailedError,
  Waker,
} from "./runtime/executor.js";
export {
  ReactorDiedError,
  ReactorStartError,
  type ReactorStats,
  reactor,
  stop as shutdown,
} from "./runtime/reactor.js";

/**
 * Starts the reactor thread (once per process) and returns an executor for this thread.
 * On a thread started by `spawnExecutorThread` it joins the process's reactor instead.
 */
export function init(options: ExecutorOptions = {}): Executor {
  useReadyQueues(startOrAttach().queues);
  return new Executor(options);
}
