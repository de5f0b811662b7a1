import { MapFullError } from "./errors.js";
import { Mutex } from "./mutex.js";

const LOCK = 0;
const CAPACITY = 1;
const HEADER = 2;
const ENTRY = 3; // key, first value, second value
const EMPTY = 0; // keys start at 1, so key 0 marks a free entry
const MAX_CAPACITY = 1 << 24; // 16 M entries, 192 MiB: far past any runtime's tokens

/**
 * Whether `key` can be stored: a whole number from 1 to 2^31 - 1. Key 0 marks a free entry,
 * and `& mask` would fold a fraction or a negative key onto another key's entry.
 */
function isKey(key: number): boolean {
  return (key | 0) === key && key > 0;
}

/**
 * A map from a number to a pair of numbers, in shared memory behind a `Mutex` (Rust:
 * `Arc<Mutex<HashMap<usize, …>>>`). Only numbers: a JavaScript object cannot cross
 * threads, so whatever a value stands for (a waker: a thread to unpark, a task id) is
 * stored as the numbers that rebuild it.
 *
 * The entry for key `k` is `k % capacity`; it keeps `k` itself, so a stale key never
 * finds another's value. Keys must be at least 1. Two keys live at once in one entry
 * only if they are `capacity` apart: that is a `MapFullError`, never a silent overwrite.
 */
export class SharedMap {
  /** How many keys can be in the map at once (a power of two). */
  readonly capacity: number;
  private readonly cells: Int32Array;
  private readonly mutex: Mutex;
  private readonly mask: number;

  constructor(
    /** The shared memory behind the map; pass it to other threads. */
    readonly buffer: SharedArrayBuffer,
  ) {
    this.cells = new Int32Array(buffer);
    this.capacity = this.cells[CAPACITY] ?? 0;
    this.mask = this.capacity - 1;
    this.mutex = new Mutex(this.cells, LOCK);
  }

  /** A map in new shared memory with room for `capacity` keys (rounded up to a power of two). */
  static create(capacity = 1 << 16): SharedMap {
    if (!(Number.isInteger(capacity) && capacity >= 1 && capacity <= MAX_CAPACITY)) {
      throw new RangeError(
        `SharedMap capacity must be a whole number from 1 to ${MAX_CAPACITY}, got ${String(capacity)}`,
      );
    }
    const size = 2 ** Math.ceil(Math.log2(Math.max(1, capacity)));
    const buffer = new SharedArrayBuffer((HEADER + size * ENTRY) * Int32Array.BYTES_PER_ELEMENT);
    new Int32Array(buffer)[CAPACITY] = size;
    return new SharedMap(buffer);
  }

  /** Stores (`first`, `second`) for `key`, replacing what was there. */
  set(key: number, first: number, second: number): void {
    if (!isKey(key)) {
      throw new RangeError(`SharedMap keys are whole numbers from 1 to 2^31 - 1, got ${key}`);
    }
    const at = HEADER + (key & this.mask) * ENTRY;
    this.mutex.lock();
    const holder = this.cells[at] ?? EMPTY;
    if (holder !== EMPTY && holder !== key) {
      this.mutex.unlock();
      throw new MapFullError(this.capacity, key, holder);
    }
    this.cells[at] = key;
    this.cells[at + 1] = first;
    this.cells[at + 2] = second;
    this.mutex.unlock();
  }

  /** Forgets `key`: a later `get` for it finds nothing. */
  remove(key: number): void {
    const at = HEADER + (key & this.mask) * ENTRY;
    this.mutex.lock();
    if (this.cells[at] === key) this.cells[at] = EMPTY;
    this.mutex.unlock();
  }

  /**
   * Calls `use(first, second)` with what is stored for `key`, outside the lock; false
   * (and no call) if there is nothing. A callback, not a returned pair: no allocation.
   */
  get(key: number, use: (first: number, second: number) => void): boolean {
    if (!isKey(key)) return false; // no such key can be stored
    const at = HEADER + (key & this.mask) * ENTRY;
    this.mutex.lock();
    const found = this.cells[at] === key;
    const first = this.cells[at + 1] ?? 0;
    const second = this.cells[at + 2] ?? 0;
    this.mutex.unlock();
    if (found) use(first, second);
    return found;
  }
}
