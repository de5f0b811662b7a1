// Every error @ch08/std raises, in one module without imports: a thread entry that
// cannot load anything else can still load this.

/** A call that needs a runtime (its thread table) was made with none started on this thread. */
export class OutsideRuntimeError extends Error {
  constructor(
    how = "start one with `const executor = runtime.init()` and drive the future with `executor.blockOn(future)`",
  ) {
    super(`called outside a runtime: ${how}`);
    this.name = "OutsideRuntimeError";
  }
}

/** More threads asked for a park slot than the thread table holds. */
export class TooManyThreadsError extends Error {
  constructor(limit: number) {
    super(
      `more than ${limit} threads parked in one runtime: start fewer threads, or raise ` +
        "MAX_THREADS in std/src/thread.ts",
    );
    this.name = "TooManyThreadsError";
  }
}

/** A spawned thread's module has no function under the name it was asked to run. */
export class SpawnTargetError extends Error {
  constructor(module: string, exportName: string) {
    super(`${module} has no exported function ${exportName}: check the name and the build`);
    this.name = "SpawnTargetError";
  }
}

/** A spawned thread failed: it could not load, or the function it ran threw. */
export class ThreadFailedError extends Error {
  constructor(name: string) {
    super(`thread ${name} failed (its error is on stderr)`);
    this.name = "ThreadFailedError";
  }
}

/**
 * A spawned thread did not reach RUNNING: it failed while loading (`reason`, its error),
 * or did not load within `timeoutMs`. An errno says what ran out; anything else is
 * most likely an incomplete build.
 */
export class ThreadStartError extends Error {
  constructor(name: string, reason: string | undefined, timeoutMs: number) {
    super(
      reason === undefined
        ? `the ${name} thread did not start within ${timeoutMs} ms: is the machine overloaded, or out of file descriptors (ulimit -n)? ` +
            "Or did Node refuse to boot the worker? A Node option that workers do not take does that (try the program without its Node options)"
        : `the ${name} thread could not start: ${reason}` +
            (/^E[A-Z]+:/.test(reason)
              ? ""
              : "; check the module's path and the export's name (a module of this repository's own needs `pnpm build` first)"),
    );
    this.name = "ThreadStartError";
  }
}

/** `blockOn` ran past its deadline (Rust has no such thing: its tests would hang instead). */
export class DeadlineError extends Error {
  constructor(timeoutMs: number) {
    super(
      `blockOn gave up after ${timeoutMs} ms: the future was still not ready and nothing ` +
        "woke it. Is the delayserver answering? Does every leaf future store its waker? " +
        "(A waker called from a Promise's callback or a setTimeout never runs: they wait " +
        "for Node's event loop, which does not turn while blockOn holds the thread.)",
    );
    this.name = "DeadlineError";
  }
}

/** Options for a runtime's `blockOn`. */
export interface BlockOnOptions {
  /** Give up with a `DeadlineError` after this many milliseconds (default: wait forever). */
  timeoutMs?: number;
}

/** A spawned task threw: its `JoinHandle` (or `blockOn`, for the top-level task) raises this. */
export class TaskFailedError extends Error {
  constructor(
    /** The id of the task that failed. */
    readonly taskId: number,
    cause: unknown,
  ) {
    super(`task ${taskId} failed: ${thrownText(cause)}`, { cause });
    this.name = "TaskFailedError";
  }
}

/**
 * What a task threw, as one line: an Error's message, a string as it is; anything else is
 * said to be no Error (`throw undefined` would otherwise read "task 1 failed: undefined").
 */
export function thrownText(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === "string") return thrown;
  let shown = String(thrown);
  try {
    shown = JSON.stringify(thrown) ?? shown;
  } catch {
    // a cycle or a BigInt inside: String() it is
  }
  return `it threw ${shown}, which is not an Error (throw an Error: it carries a message and a stack)`;
}

/**
 * A task's `JoinHandle` was awaited after the `blockOn` that ran the task gave up on it
 * (a `DeadlineError`, say): the task will never be polled again.
 */
export class TaskAbandonedError extends Error {
  constructor(
    /** The id of the task that was abandoned. */
    readonly taskId: number,
  ) {
    super(
      `task ${taskId} will never finish: the blockOn that ran it gave up (its error said why), ` +
        "and a task runs only inside the blockOn it was spawned in. Await its JoinHandle " +
        "there, or give that blockOn more time",
    );
    this.name = "TaskAbandonedError";
  }
}

/** A task awaited its own `JoinHandle`: it can finish only once it stops waiting for itself. */
export class SelfJoinError extends Error {
  constructor(taskId: number) {
    super(
      `task ${taskId} awaits its own JoinHandle, so it would wait for ever: await the handle ` +
        "from another task, or from the code that spawned it",
    );
    this.name = "SelfJoinError";
  }
}

/** A runtime was started, or entered, where one already runs on this thread. */
export class AlreadyRunningError extends Error {
  constructor(what: string) {
    super(what);
    this.name = "AlreadyRunningError";
  }
}

/** A future was polled again after it returned ready (the book's `panic!("Polled a resolved future")`). */
export class PolledAfterReadyError extends Error {
  constructor(what = "future") {
    super(`polled a resolved ${what}: a future must not be polled after it is ready`);
    this.name = "PolledAfterReadyError";
  }
}

/** `join` waited its whole timeout and the thread is still running. */
export class JoinTimeoutError extends Error {
  constructor(name: string, timeoutMs: number) {
    super(
      `thread ${name} did not finish within ${timeoutMs} ms: give it longer, or find what it waits for`,
    );
    this.name = "JoinTimeoutError";
  }
}

/** A `SharedMap` has no free entry for a key. */
export class MapFullError extends Error {
  constructor(capacity: number, key: number, holder: number) {
    super(
      `more than ${capacity} entries in flight (key ${key} meets ${holder}): remove entries ` +
        "that are done, or create the map with a larger capacity (a runtime's waker table: " +
        "finish or close some requests and sleeps before starting more, or raise its WAKER_CAPACITY)",
    );
    this.name = "MapFullError";
  }
}

/** A `SharedQueue` is full and its owner asked for an error rather than an overflow mark. */
export class QueueFullError extends Error {
  constructor(capacity: number) {
    super(
      `the queue already holds ${capacity} numbers: drain it more often, or create it with a larger capacity`,
    );
    this.name = "QueueFullError";
  }
}
