/**
 * Stage d: stage c's runtime grown by the thread-poll-server design — timers, a
 * single-threaded runtime whose executor waits on the reactor itself, a multi-threaded
 * one whose polling thread accepts, a spawner usable from any thread, and the
 * delayserver served by them.
 *
 * ```ts
 * const { executor } = initSingleThreaded();
 * executor.blockOn(Http.get("/200/hi")); // no reactor thread: the executor blocks in epoll_wait
 * const server = await startServer({ port: 8080, threads: 2 }); // `pnpm serve --threads 2`
 * ```
 *
 * CHANGED from stage c: the book's example program (`main.ts`, `asyncMain`) is not
 * exported here: a program that imports the runtime does not load the example too (about
 * 4 ms of start-up CPU; bench section 3 holds stage d's start-up to bare node + 0.04 s).
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
export {
  initSingleThreaded,
  LocalReactor,
  type SingleThreaded,
  type SingleThreadedOptions,
} from "./runtime/local.js";
export { TimerHeap, TimerInbox } from "./runtime/timers.js";
export * as runtime from "./runtime.js";
export * from "./runtime.js";

import type { ServeOptions, ThreadPollServer } from "./server/options.js";

export type { ServeOptions, StopSummary, ThreadPollServer } from "./server/options.js";
export { Sleep, sleep, sleepUntil } from "./sleep.js";
export {
  createJobQueue,
  type Job,
  JobFailedError,
  JobReceiver,
  loadModules,
  Spawner,
  type SpawnerHandle,
  UnknownJobError,
} from "./spawner.js";
export { Timeout, TimeoutError, timeout } from "./timeout.js";

/**
 * Starts stage d's delayserver (what `pnpm serve` runs). The server's modules load on the
 * first call: a program that only makes requests does not pay for them at start-up
 * (test/start-up.test.ts checks what importing this index loads).
 */
export async function startServer(options?: ServeOptions): Promise<ThreadPollServer> {
  const server = await import("./server/start.js");
  return server.startServer(options);
}
