import { Executor } from "./runtime/executor.js";
import { start } from "./runtime/reactor.js";

export { DeadlineError, OutsideRuntimeError } from "./runtime/errors.js";
export { type BlockOnOptions, Executor, Waker } from "./runtime/executor.js";
export { type ReactorStats, reactor, stop as shutdown } from "./runtime/reactor.js";

/** Starts the reactor thread (once per process) and returns an executor for this thread. */
export function init(): Executor {
  start();
  return new Executor();
}
