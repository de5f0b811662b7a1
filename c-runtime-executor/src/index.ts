/**
 * Stage c: a spawning executor with a ready queue; executors on many threads share one reactor.
 *
 * ```ts
 * const executor = runtime.init();   // starts the reactor thread
 * executor.blockOn(asyncMain());     // spawns five requests; polls only the woken tasks
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
