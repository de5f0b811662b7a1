/**
 * Stage c: a spawning executor with a ready queue, and many executors on threads
 * sharing one reactor.
 *
 * ```ts
 * const executor = runtime.init();
 * executor.blockOn(asyncMain()); // asyncMain spawns five requests; only woken tasks are polled
 * ```
 */
export { asyncMain, asyncMainLastLines, type ExampleOptions, request } from "./async-main.js";
export { type CoroutineBody, coroutine, wait } from "./coroutine.js";
export { type Future, JoinAll, joinAll, NOT_READY, type PollState, ready } from "./future.js";
export { Http } from "./http.js";
export { createReadyQueues, ReadyQueue, readyQueue } from "./runtime/ready-queue.js";
export {
  createThreadTable,
  currentThread,
  newThread,
  Thread,
  threadTable,
  useThreadTable,
} from "./runtime/thread.js";
export { WakerTable } from "./runtime/wakers.js";
export * as runtime from "./runtime.js";
export {
  type BlockOnOptions,
  DeadlineError,
  Executor,
  type ExecutorThread,
  init,
  JoinHandle,
  OutsideRuntimeError,
  type ReactorStats,
  reactor,
  shutdown,
  spawn,
  spawnExecutorThread,
  TaskFailedError,
  Waker,
} from "./runtime.js";
