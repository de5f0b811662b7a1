import { Mutex } from "./mutex.js";
import { MAX_THREADS } from "./thread.js";

/** How many wakes one executor's queue holds before it falls back to polling every task. */
export const QUEUE_CAPACITY = 1 << 14;

const LOCK = 0;
const LENGTH = 1;
const OVERFLOW = 2;
const HEADER = 3;
const QUEUE_CELLS = HEADER + QUEUE_CAPACITY;

/**
 * The ids of the tasks an executor must poll (Rust: `Arc<Mutex<Vec<usize>>>`).
 *
 * Any thread pushes (a waker woken by the reactor thread, a task waking another on the
 * same executor); only the executor's own thread drains it. Every executor thread's
 * queue is made up front in one `SharedArrayBuffer`, indexed by the thread's slot,
 * because the reactor thread — blocked in `epoll_wait`, with no event loop to receive
 * messages — must be able to reach every queue from the start.
 *
 * If more wakes arrive than the queue holds before the executor drains it, the queue
 * remembers that it overflowed and the executor polls every task once: a spurious poll
 * is harmless, a lost wake is not.
 */
export class ReadyQueue {
  private readonly mutex: Mutex;

  constructor(
    private readonly cells: Int32Array,
    private readonly base: number,
  ) {
    this.mutex = new Mutex(cells, base + LOCK);
  }

  /** Queues task `id` to be polled. */
  push(id: number): void {
    const { cells, base } = this;
    this.mutex.lock();
    const length = cells[base + LENGTH] ?? 0;
    if (length < QUEUE_CAPACITY) {
      cells[base + HEADER + length] = id;
      cells[base + LENGTH] = length + 1;
    } else {
      cells[base + OVERFLOW] = 1;
    }
    this.mutex.unlock();
  }

  /** Moves every queued id into `out`; true if some wakes did not fit (poll everything). */
  drainInto(out: number[]): boolean {
    const { cells, base } = this;
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

/** Shared memory for the ready queue of every thread a runtime can have. */
export function createReadyQueues(): SharedArrayBuffer {
  return new SharedArrayBuffer((MAX_THREADS + 1) * QUEUE_CELLS * Int32Array.BYTES_PER_ELEMENT);
}

/** The ready queue of the thread in `slot`. */
export function readyQueue(queues: SharedArrayBuffer | Int32Array, slot: number): ReadyQueue {
  const cells = queues instanceof Int32Array ? queues : new Int32Array(queues);
  return new ReadyQueue(cells, slot * QUEUE_CELLS);
}
