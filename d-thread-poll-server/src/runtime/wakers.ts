import { Mutex } from "./mutex.js";

/** How many registrations can wait at once (a power of two). */
export const WAKER_CAPACITY = 1 << 16;

const LOCK = 0;
const NEXT_ID = 1;
const HEADER = 2;
const ENTRY = 3; // token, thread slot, task id
const EMPTY = 0; // tokens start at 1, so token 0 marks a free entry

/**
 * Which waker to wake when a token fires (Rust: `Arc<Mutex<HashMap<usize, Waker>>>`).
 *
 * The leaf futures write it from the executor's thread, the reactor thread reads it:
 * so it lives in a `SharedArrayBuffer`, behind a `Mutex`. A waker is stored as the two
 * numbers that make it — the thread to unpark and the task id — because a JavaScript
 * object cannot cross threads. The entry for token `t` is `t % WAKER_CAPACITY`; it keeps
 * `t` itself so a stale token never finds another's waker.
 */
export class WakerTable {
  private readonly cells: Int32Array;
  private readonly mutex: Mutex;
  private readonly mask = WAKER_CAPACITY - 1;

  constructor(
    /** The shared memory behind the table; pass it to other threads. */
    readonly buffer: SharedArrayBuffer,
  ) {
    this.cells = new Int32Array(buffer);
    this.mutex = new Mutex(this.cells, LOCK);
  }

  /** A table in new shared memory; token ids start at 1 (0 is the reactor's own). */
  static create(): WakerTable {
    const buffer = new SharedArrayBuffer(
      (HEADER + WAKER_CAPACITY * ENTRY) * Int32Array.BYTES_PER_ELEMENT,
    );
    Atomics.store(new Int32Array(buffer), NEXT_ID, 1);
    return new WakerTable(buffer);
  }

  /** A fresh token (the book's `next_id`). */
  nextId(): number {
    return Atomics.add(this.cells, NEXT_ID, 1);
  }

  /** Stores the waker (`thread` slot, `task` id) for `token`, replacing the one before. */
  set(token: number, thread: number, task: number): void {
    const at = HEADER + (token & this.mask) * ENTRY;
    this.mutex.lock();
    const holder = this.cells[at];
    if (holder !== EMPTY && holder !== token) {
      this.mutex.unlock();
      throw new Error(
        `more than ${WAKER_CAPACITY} registrations in flight (token ${token} meets ${holder}): ` +
          "raise WAKER_CAPACITY in runtime/wakers.ts",
      );
    }
    this.cells[at] = token;
    this.cells[at + 1] = thread;
    this.cells[at + 2] = task;
    this.mutex.unlock();
  }

  /** Forgets the waker for `token`: a later event for it wakes nobody. */
  remove(token: number): void {
    const at = HEADER + (token & this.mask) * ENTRY;
    this.mutex.lock();
    if (this.cells[at] === token) this.cells[at] = EMPTY;
    this.mutex.unlock();
  }

  /**
   * Calls `wake(thread, task)` with the waker stored for `token`; false (and no call)
   * if there is none — the token was deregistered, the wake is dropped.
   */
  wake(token: number, wake: (thread: number, task: number) => void): boolean {
    const at = HEADER + (token & this.mask) * ENTRY;
    this.mutex.lock();
    const found = this.cells[at] === token;
    const thread = this.cells[at + 1] ?? 0;
    const task = this.cells[at + 2] ?? 0;
    this.mutex.unlock();
    if (found) wake(thread, task);
    return found;
  }
}
