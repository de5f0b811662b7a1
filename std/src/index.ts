/**
 * @ch08/std — what Rust's standard library hands chapter 8, for threads that share
 * only memory: a parkable `Thread`, `spawn` (a thread that runs a module's export), a
 * futex `Mutex`, a map and a queue of numbers in shared memory, and joining a spawned
 * task (`JoinHandle`), the same for every executor. See README.md.
 *
 * ```ts
 * const tokens = useThreadTable(createThreadTable());
 * using worker = spawn(new URL("./work.js", import.meta.url), "work", { name: "worker" });
 * currentThread().park(1000); // until `work` unparks us (or a second passes)
 * ```
 */

export { checkTimeoutMs, Deadline } from "./deadline.js";
export {
  AlreadyRunningError,
  type BlockOnOptions,
  DeadlineError,
  JoinTimeoutError,
  MapFullError,
  OutsideRuntimeError,
  PolledAfterReadyError,
  QueueFullError,
  SelfJoinError,
  SpawnTargetError,
  TaskAbandonedError,
  TaskFailedError,
  ThreadFailedError,
  ThreadStartError,
  TooManyThreadsError,
  thrownText,
} from "./errors.js";
export { Mutex } from "./mutex.js";
export { SharedCounters } from "./shared-counters.js";
export { SharedMap } from "./shared-map.js";
export { SharedQueue } from "./shared-queue.js";
export {
  Service,
  type ServiceOptions,
  Spawned,
  type SpawnOptions,
  START_GATE_MS,
  serviceState,
  spawn,
  spawnService,
  stopRequested,
} from "./spawn.js";
export { Static, type StaticHandle } from "./static.js";
export {
  abandonTasks,
  closeAbandoned,
  type Joinable,
  JoinHandle,
  type Outcome,
  takeOutcome,
} from "./task.js";
export {
  createThreadTable,
  currentThread,
  currentThreadName,
  currentThreadTable,
  MAX_THREADS,
  newThread,
  Thread,
  threadTable,
  unparkSlot,
  useThreadTable,
} from "./thread.js";
export { type ExportLoader, runThread } from "./thread-run.js";
export { ThreadState, unparkAll } from "./thread-state.js";
export { writeAll } from "./write.js";
