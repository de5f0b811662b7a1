// biome-ignore-all assist/source/organizeImports: a line per step, so `pnpm diff` shows what each adds
import { Executor } from "./runtime/executor.js";
import { REACTOR, start } from "./runtime/reactor.js";

export { type BlockOnOptions, DeadlineError, OutsideRuntimeError } from "@ch08/std";
export { ThreadFailedError, ThreadStartError } from "@ch08/std";
export { JoinHandle, TaskFailedError } from "@ch08/std";
export { Executor, Waker } from "./runtime/executor.js";
export { type ExecutorThread, spawn, spawnExecutorThread } from "./runtime/executor.js";
export { type ReactorStats, reactor, WAKER_CAPACITY } from "./runtime/reactor.js";

/** Starts the reactor thread (once per process) and returns an executor for this thread. */
export function init(): Executor {
  start();
  return new Executor();
}

/** Stops the reactor thread, so the process can end; `init` starts a new one. */
export function shutdown(): void {
  REACTOR.stop();
}
