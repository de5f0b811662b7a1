import { Mutex } from "@ch08/std";

/**
 * The most timers a reactor fires in one wake-up; any more due stay in the heap, and the
 * next `epoll_wait` takes no time. Firing all of them at once lets a round of 10,000 held
 * answers keep the executor busy for some 140 ms, while requests that came meanwhile wait
 * unread and are then answered late in a bunch of their own, round after round. Handing
 * them out 64 at a time lets the reads in between (tokio polls for I/O every 61 tasks for
 * the same reason). By hand, 10,000 held on /500/x from the second second on: 0.5–1.4 %
 * of answers over 20 ms late with 16 to 256 here, 4–9 % with no limit.
 */
export const TIMERS_PER_WAKE = 64;

/**
 * The reactor's deadlines: a binary min-heap of (deadline, token).
 *
 * A heap, not a wheel: the reactor must sleep in `epoll_wait` exactly until the next
 * deadline and not wake otherwise (an idle server costs no CPU), and a heap gives the
 * next deadline in O(1) with no tick. A wheel's O(1) insert pays for itself with
 * millions of timers that are mostly cancelled (tokio's case: every socket timeout);
 * here a timer is one `sleep` per held request, thousands at most, and log2(10,000) is
 * 14 comparisons. A cancelled sleep is not searched for: its entry stays until due,
 * then finds no waker for its token, and the wake is dropped (counted, harmless).
 */
export class TimerHeap {
  private deadlines: Float64Array = new Float64Array(64);
  private tokens: Int32Array = new Int32Array(64);
  private count = 0;

  /** How many deadlines are waiting. */
  get size(): number {
    return this.count;
  }

  /** Adds `token`, due at `deadline` (a `performance.now()` time, in ms). */
  push(deadline: number, token: number): void {
    if (this.count === this.deadlines.length) this.grow();
    let at = this.count++;
    const { deadlines, tokens } = this;
    // Sift up: move parents down until the new deadline's place is found.
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const above = deadlines[parent] ?? 0;
      if (above <= deadline) break;
      deadlines[at] = above;
      tokens[at] = tokens[parent] ?? 0;
      at = parent;
    }
    deadlines[at] = deadline;
    tokens[at] = token;
  }

  /** The earliest deadline, or Infinity when there is none. */
  next(): number {
    return this.count === 0 ? Number.POSITIVE_INFINITY : (this.deadlines[0] ?? 0);
  }

  /**
   * Removes the deadlines at or before `now`, calling `fire(token)` for each, earliest
   * first: at most `limit` of them; the rest stay, due, for the next call.
   */
  expire(now: number, fire: (token: number) => void, limit = Number.POSITIVE_INFINITY): void {
    for (let n = 0; n < limit && this.count > 0 && (this.deadlines[0] ?? 0) <= now; n++) {
      const token = this.tokens[0] ?? 0;
      this.removeFirst();
      fire(token);
    }
  }

  private removeFirst(): void {
    const last = --this.count;
    const { deadlines, tokens } = this;
    const deadline = deadlines[last] ?? 0;
    const token = tokens[last] ?? 0;
    let at = 0;
    // Sift down the last entry from the root.
    for (;;) {
      let child = 2 * at + 1;
      if (child >= last) break;
      const right = child + 1;
      if (right < last && (deadlines[right] ?? 0) < (deadlines[child] ?? 0)) child = right;
      const below = deadlines[child] ?? 0;
      if (deadline <= below) break;
      deadlines[at] = below;
      tokens[at] = tokens[child] ?? 0;
      at = child;
    }
    deadlines[at] = deadline;
    tokens[at] = token;
  }

  private grow(): void {
    const deadlines = new Float64Array(this.deadlines.length * 2);
    deadlines.set(this.deadlines);
    const tokens = new Int32Array(this.tokens.length * 2);
    tokens.set(this.tokens);
    this.deadlines = deadlines;
    this.tokens = tokens;
  }
}

/**
 * How many timers other threads can hand the polling thread between two of its drains;
 * a pusher that finds it full wakes the polling thread and waits for room.
 */
export const TIMER_INBOX_CAPACITY = 1 << 14;

// Layout: Int32 cells [lock, length, overflowed], then Float64 cells: [sleepsUntil,
// (deadline, token) × capacity]. The float part starts at byte 16 to stay aligned.
const LOCK = 0;
const LENGTH = 1;
const FLOAT_BASE = 16;
const SLEEPS_UNTIL = 0;
const ENTRIES = 1;

/**
 * Deadlines on their way to the polling thread's heap (multi-threaded runtime only).
 *
 * An executor thread cannot touch the polling thread's heap (it is a JavaScript object
 * in another heap), so it pushes (deadline, token) here. The polling thread writes the
 * time its `epoll_wait` will return by (`sleepsUntil`); a new deadline earlier than that
 * must wake it, one later need not — so most timers cost no cross-thread wake at all.
 */
export class TimerInbox {
  private readonly cells: Int32Array;
  private readonly floats: Float64Array;
  private readonly mutex: Mutex;
  /** How many times a push on this thread found the inbox full and waited for a drain. */
  fullWaits = 0;

  constructor(
    /** The shared memory behind the inbox; pass it to other threads. */
    readonly buffer: SharedArrayBuffer,
  ) {
    this.cells = new Int32Array(buffer, 0, 4);
    this.floats = new Float64Array(buffer, FLOAT_BASE);
    this.mutex = new Mutex(this.cells, LOCK);
  }

  /** An empty inbox in new shared memory. */
  static create(): TimerInbox {
    const bytes = FLOAT_BASE + (ENTRIES + 2 * TIMER_INBOX_CAPACITY) * 8;
    const inbox = new TimerInbox(new SharedArrayBuffer(bytes));
    inbox.floats[SLEEPS_UNTIL] = Number.POSITIVE_INFINITY;
    return inbox;
  }

  /**
   * Queues a deadline; true if the polling thread sleeps past it and must be woken.
   *
   * A full inbox is backpressure, not an error: the pusher calls `wakePoller` (the
   * polling thread drains before it sleeps again) and waits for the drain. A timer is a
   * held answer, so dropping it would drop a request; and the polling thread never
   * waits for an executor, so an executor waiting for it cannot deadlock.
   */
  push(deadline: number, token: number, wakePoller: () => void): boolean {
    const { cells, floats } = this;
    this.mutex.lock();
    let length = cells[LENGTH] ?? 0;
    while (length >= TIMER_INBOX_CAPACITY) {
      this.mutex.unlock();
      this.fullWaits++;
      wakePoller();
      // Woken by the drain's notify; the timeout only re-sends the wake, should it be missed.
      Atomics.wait(cells, LENGTH, length, 5);
      this.mutex.lock();
      length = cells[LENGTH] ?? 0;
    }
    floats[ENTRIES + 2 * length] = deadline;
    floats[ENTRIES + 2 * length + 1] = token;
    cells[LENGTH] = length + 1;
    const mustWake = deadline < (floats[SLEEPS_UNTIL] ?? 0);
    // Whoever wakes it first makes the sleep short; the next pushers need not wake it too.
    if (mustWake) floats[SLEEPS_UNTIL] = deadline;
    this.mutex.unlock();
    return mustWake;
  }

  /** Says the polling thread is awake and will drain before it sleeps again: no push need wake it. */
  awake(): void {
    this.mutex.lock();
    this.floats[SLEEPS_UNTIL] = Number.NEGATIVE_INFINITY;
    this.mutex.unlock();
  }

  /** Drains into `heap`, then records that the polling thread sleeps until `until`, atomically. */
  drainAndSleepUntil(heap: TimerHeap, until: () => number): number {
    const { cells, floats } = this;
    this.mutex.lock();
    const length = cells[LENGTH] ?? 0;
    for (let i = 0; i < length; i++) {
      heap.push(floats[ENTRIES + 2 * i] ?? 0, floats[ENTRIES + 2 * i + 1] ?? 0);
    }
    cells[LENGTH] = 0;
    const deadline = until();
    floats[SLEEPS_UNTIL] = deadline;
    this.mutex.unlock();
    // A pusher that found the inbox full waits for this; a notify nobody awaits costs no syscall.
    if (length >= TIMER_INBOX_CAPACITY) Atomics.notify(cells, LENGTH);
    return deadline;
  }
}
