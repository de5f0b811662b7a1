/** Raised when the reactor is used with no runtime started on this thread. */
export class OutsideRuntimeError extends Error {
  constructor() {
    super(
      "called outside a runtime: start one with `const executor = runtime.init()` and " +
        "drive the future with `executor.blockOn(future)`",
    );
    this.name = "OutsideRuntimeError";
  }
}

/** Raised when `blockOn` runs past its deadline. */
export class DeadlineError extends Error {
  constructor(timeoutMs: number) {
    super(
      `blockOn gave up after ${timeoutMs} ms: the future was still not ready and no waker ` +
        "woke it. Is the delayserver answering? Does every leaf future store its waker?",
    );
    this.name = "DeadlineError";
  }
}

/** A spawned task threw: its `JoinHandle` (or `blockOn`, for the top-level task) raises this. */
export class TaskFailedError extends Error {
  /** The id of the task that failed. */
  readonly taskId: number;

  constructor(taskId: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`task ${taskId} failed: ${reason}`, { cause });
    this.name = "TaskFailedError";
    this.taskId = taskId;
  }
}
