import { println } from "@ch08/http";
import { Events, Poll, type Registry } from "@ch08/mio";
import { Kind, record, tracing } from "@ch08/trace";
import type { Future } from "./future.js";

/** The registry of the running runtime; leaf futures reach it through `registry()`. */
let current: Registry | undefined;

/** Raised when a leaf future is polled with no runtime to register with. */
export class OutsideRuntimeError extends Error {
  constructor() {
    super(
      "called outside a runtime: create one with `new Runtime()` and drive the future " +
        "with `runtime.blockOn(future)`",
    );
    this.name = "OutsideRuntimeError";
  }
}

/** Raised when `blockOn` runs past its deadline. */
export class DeadlineError extends Error {
  constructor(timeoutMs: number) {
    super(
      `blockOn gave up after ${timeoutMs} ms: the future was still not ready. ` +
        "Is the delayserver answering?",
    );
    this.name = "DeadlineError";
  }
}

/** The registry leaf futures register their sockets with (the book's `runtime::registry()`). */
export function registry(): Registry {
  if (current === undefined) throw new OutsideRuntimeError();
  return current;
}

/** Options for `blockOn`. */
export interface BlockOnOptions {
  /** Give up with a `DeadlineError` after this many milliseconds (default: wait forever). */
  timeoutMs?: number;
}

/**
 * Stage a's runtime: one `Poll`, and a loop that polls the top-level future and, when it
 * is not ready, sleeps in `epoll_wait` until the OS reports any event — no busy polling.
 */
export class Runtime {
  /** How many times `blockOn` slept in `Poll.poll` (the tests count them). */
  waits = 0;

  private readonly poll = new Poll();
  private readonly ownRegistry = this.poll.registry();
  // Reused across waits; the book allocates `Events::with_capacity(100)` each time.
  private readonly events = new Events(100);

  constructor() {
    if (current !== undefined) {
      throw new Error(
        "a Runtime is already running on this thread: close() it before creating another",
      );
    }
    current = this.ownRegistry;
  }

  /** Polls `future` until it is ready, sleeping on the OS event queue in between. */
  blockOn<T>(future: Future<T>, options: BlockOnOptions = {}): T {
    const { timeoutMs } = options;
    const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    for (;;) {
      if (tracing) record(Kind.POLL_BEGIN, 0);
      const state = future.poll();
      if (tracing) record(Kind.POLL_END, 0, state.ready ? 1 : 0);
      if (state.ready) return state.value;
      println("Schedule other tasks");
      println();
      const remaining =
        deadline === undefined ? null : Math.max(0, Math.ceil(deadline - performance.now()));
      this.waits++;
      if (tracing) record(Kind.WAIT_BEGIN);
      this.poll.poll(this.events, remaining);
      if (tracing) record(Kind.WAIT_END, this.events.length);
      // No event in the time left, or events that keep coming past the deadline (a source
      // that fires on every poll): either way the deadline is up.
      if (
        deadline !== undefined &&
        timeoutMs !== undefined &&
        (this.events.length === 0 || performance.now() >= deadline)
      ) {
        throw new DeadlineError(timeoutMs);
      }
    }
  }

  /** Closes the event queue; leaf futures can no longer register. */
  close(): void {
    if (current === this.ownRegistry) current = undefined;
    this.poll.close();
  }

  /** Closes it at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}
