/**
 * Stage a: a runtime that blocks on the OS event queue.
 *
 * ```ts
 * using runtime = new Runtime();
 * runtime.blockOn(asyncMain()); // polls, sleeps in epoll_wait, polls again
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
