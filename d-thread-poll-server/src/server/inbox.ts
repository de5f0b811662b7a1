import { Mutex } from "@ch08/std";

/** How many accepted connections can wait for one executor. */
export const INBOX_CAPACITY = 1 << 14;

const LOCK = 0;
const LENGTH = 1;
const TOKEN = 2;
const HEADER = 3;
const CELLS = HEADER + INBOX_CAPACITY;

/**
 * The accepted connections waiting for each executor thread, in shared memory: the
 * polling thread pushes a socket's fd (the only part of a connection that can cross
 * JavaScript threads: a number), the executor makes it a connection task. An executor
 * with nothing of its own takes half of another's waiting fds: that is the stealing.
 * Each inbox also holds the token of its executor's inbox task, so the polling thread
 * can wake that task through the waker table like any other.
 */
export class ConnectionInboxes {
  private readonly cells: Int32Array;

  constructor(
    /** The shared memory behind the inboxes; pass it to other threads. */
    readonly buffer: SharedArrayBuffer,
    /** How many executors (inboxes) there are. */
    readonly count: number,
  ) {
    this.cells = new Int32Array(buffer);
  }

  /** Inboxes for `count` executors, in new shared memory. */
  static create(count: number): ConnectionInboxes {
    return new ConnectionInboxes(
      new SharedArrayBuffer(count * CELLS * Int32Array.BYTES_PER_ELEMENT),
      count,
    );
  }

  /** Queues `fd` for executor `index`; returns how many were waiting there before it, or -1 if full. */
  push(index: number, fd: number): number {
    const base = index * CELLS;
    const { cells } = this;
    const mutex = new Mutex(cells, base + LOCK);
    mutex.lock();
    const length = cells[base + LENGTH] ?? 0;
    if (length >= INBOX_CAPACITY) {
      mutex.unlock();
      return -1;
    }
    cells[base + HEADER + length] = fd;
    cells[base + LENGTH] = length + 1;
    mutex.unlock();
    return length;
  }

  /** Moves executor `index`'s waiting fds into `out`. */
  drainInto(index: number, out: number[]): void {
    this.take(index, out, false);
  }

  /**
   * Moves the oldest half (rounded up) of the fullest other inbox's fds into `out`; how
   * many it took. The oldest, because they have waited longest for their owner.
   */
  stealInto(index: number, out: number[]): number {
    let victim = -1;
    let most = 0;
    for (let i = 0; i < this.count; i++) {
      if (i === index) continue;
      const waiting = Atomics.load(this.cells, i * CELLS + LENGTH);
      if (waiting > most) {
        most = waiting;
        victim = i;
      }
    }
    return victim < 0 ? 0 : this.take(victim, out, true);
  }

  /** How many fds wait for executor `index` (a hint: it may change at once). */
  waiting(index: number): number {
    return Atomics.load(this.cells, index * CELLS + LENGTH);
  }

  /** The token of executor `index`'s inbox task (0 until it has run once). */
  token(index: number): number {
    return Atomics.load(this.cells, index * CELLS + TOKEN);
  }

  /** Records the token of executor `index`'s inbox task. */
  setToken(index: number, token: number): void {
    Atomics.store(this.cells, index * CELLS + TOKEN, token);
  }

  private take(index: number, out: number[], half: boolean): number {
    const base = index * CELLS;
    const { cells } = this;
    const mutex = new Mutex(cells, base + LOCK);
    mutex.lock();
    const length = cells[base + LENGTH] ?? 0;
    const taken = half ? (length + 1) >> 1 : length;
    for (let i = 0; i < taken; i++) out.push(cells[base + HEADER + i] ?? -1);
    cells.copyWithin(base + HEADER, base + HEADER + taken, base + HEADER + length);
    cells[base + LENGTH] = length - taken;
    mutex.unlock();
    return taken;
  }
}

/** What the polling thread and the executors need to serve one listener (plain data). */
export interface ServerHandle {
  /** The listening socket, bound by the thread that started the server. */
  readonly listenerFd: number;
  /** The executors' inboxes (see `ConnectionInboxes`). */
  readonly inboxes: SharedArrayBuffer;
  /** How many executors. */
  readonly executors: number;
  /** The server's counters (see `Stat`). */
  readonly stats: SharedArrayBuffer;
  /** Each executor's job queue, for a `Spawner`. */
  readonly jobs: readonly SharedArrayBuffer[];
}
