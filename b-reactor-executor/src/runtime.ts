import { Executor } from "./runtime/executor.js";
import { start } from "./runtime/reactor.js";

export { OutsideRuntimeError } from "@ch08/std";
export { type BlockOnOptions, DeadlineError, Executor, Waker } from "./runtime/executor.js";
export {
  ReactorDiedError,
  ReactorStartError,
  type ReactorStats,
  reactor,
  stop as shutdown,
} from "./runtime/reactor.js";

/** Starts the reactor thread (once per process) and returns an executor for this thread. */
export function init(): Executor {
  start();
  return new Executor();
}
