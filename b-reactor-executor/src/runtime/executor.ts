import { checkFuture, isReady, println } from "@ch08/http";
import * as std from "@ch08/std";
import { Kind, record, tracing } from "@ch08/trace";
import type { Future } from "../future.js";
import { REACTOR } from "./reactor.js";

/** Wakes a task so its executor polls it again (Rust: `Waker`); the reactor stores its numbers. */
export class Waker {
  constructor(
    /** The executor's thread: the reactor stores its slot, and unparks it. */
    readonly thread: std.Thread,
    /** The task to poll again (stage b has one task per executor: 0). */
    readonly id: number,
  ) {}

  /** Makes the executor poll the task again; callable from any thread. */
  wake(): void {
    this.thread.unpark();
  }
}

/** Drives one top-level future: poll it; when not ready, park until its waker wakes it. */
export class Executor {
  /** How many polls this executor made (the tests and benchmarks count them). */
  polls = 0;
  /** How many times the executor parked. */
  parks = 0;

  /** Polls `future` until it is ready, parking between polls; returns its output. */
  blockOn<T>(future: Future<T>, options: std.BlockOnOptions = {}): T {
    const thread = std.currentThread();
    const waker = new Waker(thread, 0);
    const deadline = new std.Deadline(options.timeoutMs);
    try {
      for (;;) {
        this.polls++;
        if (tracing) record(Kind.POLL_BEGIN, 0);
        const state = checkFuture(future, "blockOn was given").poll(waker);
        if (tracing) record(Kind.POLL_END, 0, state.ready ? 1 : 0);
        if (isReady(state)) {
          println(`${thread.name}: All tasks are finished`);
          return state.value;
        }
        // Past the deadline: give up before saying we sleep, so `parks` counts real parks.
        const remaining = deadline.check();
        println(`${thread.name}: 1 pending tasks. Sleep until notified.`);
        this.parks++;
        thread.park(remaining);
        const failure = REACTOR.failure();
        if (failure !== undefined) throw failure;
      }
    } catch (error) {
      // Given up: release its sockets and tokens, so none haunts the next blockOn.
      std.closeAbandoned(thread.name, future); // a close that throws is reported, not raised
      throw error;
    }
  }

  /** Ends the runtime at the end of a `using` scope: stops the reactor thread. */
  [Symbol.dispose](): void {
    REACTOR.stop();
  }
}
