/**
 * Stage c: a spawning executor with a ready queue, and many executors on threads
 * sharing one reactor.
 *
 * ```ts
 * using executor = runtime.init();
 * executor.blockOn(asyncMain()); // asyncMain spawns five requests; only woken tasks are polled
 * ```
 */
export { currentThread, newThread, Thread, threadTable } from "@ch08/std";
export {
  type CoroutineBody,
  coroutine,
  type Future,
  JoinAll,
  joinAll,
  NOT_READY,
  type PollState,
  ready,
  wait,
} from "./future.js";
export { Http } from "./http.js";
export * from "./main.js";
export * as runtime from "./runtime.js";
export * from "./runtime.js";
