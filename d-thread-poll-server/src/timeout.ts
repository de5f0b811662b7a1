import { checkFuture, isReady } from "@ch08/http";
import { type Future, NOT_READY, type PollState } from "./future.js";
import type { Waker } from "./runtime.js";
import { checkDelayMs, type Sleep, sleep } from "./sleep.js";

/** What a `timeout` future fails with once its time is up. */
export class TimeoutError extends Error {
  constructor(
    /** The limit that passed, in ms. */
    readonly ms: number,
    what: string,
  ) {
    super(
      `${what} was not ready after ${ms} ms, so it was given up and closed (its socket and ` +
        "token given back). A server that accepted the connection but never answers looks " +
        "like this; if the wait was just longer than expected, allow more time.",
    );
    this.name = "TimeoutError";
  }
}

/**
 * `future`, bounded in time (tokio's `time::timeout`): ready with its output if it gets
 * there within `ms` of the first poll, else it fails with `TimeoutError` and closes it.
 * A leaf future is polled only when its socket has news, so a silent server would leave
 * it waiting for ever; a `sleep` beside it, given the same waker, is what wakes the task
 * when the time is up. Stages a–c cannot do this: they have no timers.
 */
export function timeout<T>(future: Future<T>, ms: number, what = "the future"): Timeout<T> {
  checkDelayMs(ms, "timeout(future, ms)");
  return new Timeout(checkFuture(future, "timeout was given"), ms, what);
}

/** What `timeout` returns. */
export class Timeout<T> implements Future<T> {
  #done = false;
  /** Due `ms` after its first poll, which comes with the future's first. */
  private readonly timer: Sleep;

  constructor(
    private readonly future: Future<T>,
    private readonly ms: number,
    private readonly what: string,
  ) {
    this.timer = sleep(ms);
  }

  /** Polls the future first (its answer may have come with the deadline), then the timer. */
  poll(waker: Waker): PollState<T> {
    let state: PollState<T>;
    let done: boolean;
    try {
      state = this.future.poll(waker);
      done = isReady(state); // a poll's wrong answer fails here too, giving the timer back
    } catch (error) {
      this.#finish();
      throw error;
    }
    if (done) {
      this.#finish();
      return state;
    }
    if (!this.timer.poll(waker).ready) return NOT_READY;
    this.future.close?.();
    this.#finish();
    throw new TimeoutError(this.ms, this.what);
  }

  /** Closes the future and the timer (a timeout given up on from outside). */
  close(): void {
    if (this.#done) return;
    this.future.close?.();
    this.#finish();
  }

  #finish(): void {
    this.#done = true;
    this.timer.close();
  }
}
