import { QueueFullError } from "./errors.js";
import { Mutex } from "./mutex.js";
import { MAX_THREADS } from "./thread.js";

// Buffer: [capacity, then each queue: lock, length, overflowed, items…].
const CAPACITY = 0;
const LOCK = 0;
const LENGTH = 1;
const OVERFLOW = 2;
const HEADER = 3;

/**
 * A queue of numbers in shared memory behind a `Mutex` (Rust: `Arc<Mutex<Vec<usize>>>`):
 * any thread pushes, one thread drains. One buffer holds several queues side by side
 * (`SharedQueue.createMany`), so a thread with no event loop to receive messages can
 * reach every queue from the start.
 *
 * A full queue either throws `QueueFullError` (`push`) or remembers that it dropped a
 * number (`pushOrMark`), for owners to whom "something was lost: look at everything"
 * is a correct answer.
 */
export class SharedQueue {
  /** How many numbers the queue holds. */
  readonly capacity: number;
  private readonly cells: Int32Array;
  private readonly base: number;
  private readonly mutex: Mutex;

  constructor(buffer: SharedArrayBuffer | Int32Array, index = 0) {
    this.cells = buffer instanceof Int32Array ? buffer : new Int32Array(buffer);
    this.capacity = this.cells[CAPACITY] ?? 0;
    this.base = 1 + index * (HEADER + this.capacity);
    if (this.base + HEADER + this.capacity > this.cells.length) {
      throw new RangeError(
        `no queue ${index} in this buffer: make it with createMany(n > ${index})`,
      );
    }
    this.mutex = new Mutex(this.cells, this.base + LOCK);
  }

  /** Shared memory for `count` queues of `capacity` numbers each. */
  static createMany(count: number, capacity = 1 << 14): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(
      (1 + count * (HEADER + capacity)) * Int32Array.BYTES_PER_ELEMENT,
    );
    new Int32Array(buffer)[CAPACITY] = capacity;
    return buffer;
  }

  /**
   * Shared memory for a queue per thread slot of a runtime's thread table (0 …
   * `MAX_THREADS`), made before any thread starts: a thread reaches another's queue as
   * `new SharedQueue(buffer, thread.slot)`.
   */
  static perThread(capacity?: number): SharedArrayBuffer {
    return SharedQueue.createMany(MAX_THREADS + 1, capacity);
  }

  /** Appends `value`; throws `QueueFullError` if the queue is full. */
  push(value: number): void {
    if (!this.pushOrMark(value, false)) throw new QueueFullError(this.capacity);
  }

  /** Appends `value`; if the queue is full, drops it, marks the queue, and returns false. */
  pushOrMark(value: number, mark = true): boolean {
    const { cells, base } = this;
    this.mutex.lock();
    const length = cells[base + LENGTH] ?? 0;
    const fits = length < this.capacity;
    if (fits) {
      cells[base + HEADER + length] = value;
      cells[base + LENGTH] = length + 1;
    } else if (mark) {
      cells[base + OVERFLOW] = 1;
    }
    this.mutex.unlock();
    return fits;
  }

  /** Moves every number into `out`, oldest first; true if some were dropped since the last drain. */
  drainInto(out: number[]): boolean {
    const { cells, base } = this;
    // Nothing pushed, nothing dropped: skip the lock (the drainer's common case). A push
    // racing with this look is not lost: its pusher unparks the drainer, which drains again.
    if (Atomics.load(cells, base + LENGTH) === 0 && Atomics.load(cells, base + OVERFLOW) === 0) {
      return false;
    }
    this.mutex.lock();
    const length = cells[base + LENGTH] ?? 0;
    for (let i = 0; i < length; i++) out.push(cells[base + HEADER + i] ?? 0);
    cells[base + LENGTH] = 0;
    const overflowed = cells[base + OVERFLOW] === 1;
    cells[base + OVERFLOW] = 0;
    this.mutex.unlock();
    return overflowed;
  }
}
