/**
 * Stage a: a runtime that blocks on the OS event queue.
 *
 * ```ts
 * const runtime = new Runtime();
 * runtime.blockOn(asyncMain()); // polls, sleeps in epoll_wait, polls again
 * runtime.close();
 * ```
 */
export { asyncMain, asyncMainGenerator, BOOK_PATHS } from "./async-main.js";
export { type CoroutineBody, coroutine, wait } from "./coroutine.js";
export { type Future, JoinAll, joinAll, NOT_READY, type PollState, ready } from "./future.js";
export { Http } from "./http.js";
export {
  type BlockOnOptions,
  DeadlineError,
  OutsideRuntimeError,
  Runtime,
  registry,
} from "./runtime.js";
