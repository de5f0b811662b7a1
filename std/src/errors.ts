// Every error @ch08/std raises, in one module without imports: a thread entry that
// cannot load anything else can still load this.

/** A call that needs a runtime (its thread table) was made with none started on this thread. */
export class OutsideRuntimeError extends Error {
  constructor() {
    super(
      "called outside a runtime: start one with `const executor = runtime.init()` and " +
        "drive the future with `executor.blockOn(future)`",
    );
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
        "that are done, or create the map with a larger capacity",
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
