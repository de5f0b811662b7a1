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
