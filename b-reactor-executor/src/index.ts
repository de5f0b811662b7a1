/**
 * Stage b: a Waker, a Reactor on its own thread, and an executor that parks.
 *
 * ```ts
 * const executor = runtime.init();   // starts the reactor thread
 * executor.blockOn(asyncMain());     // polls; parks until a waker unparks it
 * ```
 */
export {
  type CoroutineBody,
  coroutine,
  type Future,
  JoinAll,
  joinAll,
  NOT_READY,
  NotAFutureError,
  NotAGeneratorError,
  NotAPollStateError,
  type PollState,
  ready,
  wait,
} from "./future.js";
export { Http } from "./http.js";
export * from "./main.js";
export * as runtime from "./runtime.js";
export * from "./runtime.js";
