import { NOT_READY, type PollState, ready } from "./future.js";
import { reactor, type Waker } from "./runtime.js";

/**
 * A future that is ready once `ms` milliseconds have passed since its first poll (the
 * leaf future of time, as `Http.get` is the leaf future of I/O). It takes a token like
 * any leaf future, stores its most recent waker under it, and gives the reactor its
 * deadline instead of a socket: the reactor's timer heap wakes the token when it is due.
 */
export function sleep(ms: number): Sleep {
  checkDelayMs(ms, "sleep(ms)");
  return new Sleep(ms);
}

/** Throws a RangeError unless `ms` is a finite number of milliseconds >= 0 (`call` names who asked). */
export function checkDelayMs(ms: number, call: string): void {
  if (!(Number.isFinite(ms) && ms >= 0)) {
    const got = typeof ms === "string" ? JSON.stringify(ms) : String(ms); // "50" is not 50
    throw new RangeError(`${call} takes a number of milliseconds >= 0, got ${got}`);
  }
}

/** What `sleep(ms)` returns; `sleepUntil` starts one at a fixed deadline. */
export class Sleep {
  /** The `performance.now()` time it is due at; known from the first poll on. */
  deadline = Number.NaN;
  private id = 0;
  private waker: Waker | undefined;

  constructor(
    private readonly ms: number,
    deadline?: number,
  ) {
    if (deadline !== undefined) this.deadline = deadline;
  }

  /** Ready once the deadline has passed; otherwise keeps the reactor's timer and waker current. */
  poll(waker: Waker): PollState<void> {
    const now = performance.now();
    if (Number.isNaN(this.deadline)) this.deadline = now + this.ms;
    // Decided by the clock, not by whether a wake came: a spurious wake finds it not ready.
    if (now >= this.deadline) {
      if (this.id !== 0) reactor().removeWaker(this.id);
      this.id = 0;
      this.waker = undefined;
      return ready(undefined);
    }
    const r = reactor();
    if (this.id === 0) {
      this.id = r.nextId();
      r.setWaker(waker, this.id);
      this.waker = waker;
      r.addTimer(this.deadline, this.id);
    } else if (waker !== this.waker) {
      r.setWaker(waker, this.id);
      this.waker = waker;
    }
    return NOT_READY;
  }

  /**
   * Gives back its token's waker slot (a sleep abandoned before its deadline, by
   * `timeout` say). The deadline stays in the reactor's heap until due, then finds no
   * waker and is dropped: a heap cannot find an entry to remove without a search.
   */
  close(): void {
    if (this.id !== 0) reactor().removeWaker(this.id);
    this.id = 0;
    this.waker = undefined;
  }
}

/** A sleep due at `deadline` (a `performance.now()` time), however late its first poll is. */
export function sleepUntil(deadline: number): Sleep {
  return new Sleep(0, deadline);
}
