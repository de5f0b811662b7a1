/**
 * Stage b: a Waker, a Reactor on its own thread, and an executor that parks.
 *
 * ```ts
 * const executor = runtime.init();   // starts the reactor thread
 * executor.blockOn(asyncMain());     // polls; parks until a waker unparks it
 * ```
 */
export { asyncMain, BOOK_PATHS } from "./async-main.js";
export { type CoroutineBody, coroutine, wait } from "./coroutine.js";
export { type Future, JoinAll, joinAll, NOT_READY, type PollState, ready } from "./future.js";
export { Http } from "./http.js";
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
  init,
  OutsideRuntimeError,
  type ReactorStats,
  reactor,
  shutdown,
  Waker,
} from "./runtime.js";
