import { isMainThread, workerData } from "node:worker_threads";
import { Kind, record, tracing } from "@ch08/trace";
import { checkTimeoutMs } from "./deadline.js";
import { OutsideRuntimeError, TooManyThreadsError } from "./errors.js";
import { NEXT_SLOT, NOTIFIED } from "./thread-state.js";

/** How many threads can park in one runtime. */
export const MAX_THREADS = 64;

const EMPTY = 0;

/**
 * A handle to a thread that can be parked and unparked (Rust: `std::thread::Thread`).
 *
 * It is a slot in a `SharedArrayBuffer` of park tokens, so any thread can unpark it.
 * As in Rust, `unpark` before `park` makes that `park` return at once: the token is
 * what makes a wake-up that races with going to sleep impossible to lose.
 */
export class Thread {
  constructor(
    private readonly tokens: Int32Array,
    /** This thread's cell in the park-token table. */
    readonly slot: number,
    /** The thread's name, printed by the executor (`main` for the main thread). */
    readonly name: string,
  ) {}

  /**
   * Sleeps until unparked, or until `timeoutMs` passes; true if it was unparked.
   * It may return early (spuriously), as Rust's `park` may: callers re-check their state.
   * A trace shows it as PARK … UNPARK, whichever runtime parks.
   */
  park(timeoutMs?: number): boolean {
    checkTimeoutMs("park", timeoutMs); // NaN would mean "no limit" to Atomics.wait
    if (tracing) record(Kind.PARK);
    // A pending unpark is consumed at once, without sleeping.
    let unparked = Atomics.exchange(this.tokens, this.slot, EMPTY) === NOTIFIED;
    if (!unparked) {
      // Sleeps only while the token is still EMPTY: an unpark between the exchange above
      // and here changes it, and the wait returns immediately.
      Atomics.wait(this.tokens, this.slot, EMPTY, timeoutMs);
      unparked = Atomics.exchange(this.tokens, this.slot, EMPTY) === NOTIFIED;
    }
    if (tracing) record(Kind.UNPARK);
    return unparked;
  }

  /** Makes the thread's current or next `park` return (callable from any thread). */
  unpark(): void {
    unparkSlot(this.tokens, this.slot);
  }
}

/** Unparks the thread in `slot` without a `Thread` object (the reactor's hot path). */
export function unparkSlot(tokens: Int32Array, slot: number): void {
  Atomics.store(tokens, slot, NOTIFIED);
  Atomics.notify(tokens, slot, 1);
}

/** A fresh park-token table for a runtime (shared with every thread it starts). */
export function createThreadTable(): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer((MAX_THREADS + 1) * Int32Array.BYTES_PER_ELEMENT);
  Atomics.store(new Int32Array(buffer), NEXT_SLOT, 1);
  return buffer;
}

/** Takes a new slot in `tokens` for a thread called `name`. */
export function newThread(tokens: Int32Array, name: string): Thread {
  const slot = Atomics.add(tokens, NEXT_SLOT, 1);
  if (slot > MAX_THREADS) throw new TooManyThreadsError(MAX_THREADS);
  return new Thread(tokens, slot, name);
}

/** The runtime's park-token table as this thread sees it, and this thread's own handle. */
let table: Int32Array | undefined;
let current: Thread | undefined;

/** Makes `buffer` (from `createThreadTable`) the park-token table of this thread's runtime. */
export function useThreadTable(buffer: SharedArrayBuffer): Int32Array {
  if (table?.buffer !== buffer) {
    table = new Int32Array(buffer);
    current = undefined;
  }
  return table;
}

/** This thread's park-token table, or undefined before a runtime gives it one. */
export function currentThreadTable(): Int32Array | undefined {
  return table;
}

/** The handle of the calling thread (Rust: `thread::current()`), given a slot on first use. */
export function currentThread(): Thread {
  if (table === undefined) throw new OutsideRuntimeError();
  if (current === undefined) {
    current = newThread(table, currentThreadName());
    if (tracing) record(Kind.SLOT, current.slot);
  }
  return current;
}

/**
 * The park-token table of this thread's runtime, so a test or tool can make extra
 * `Thread`s (`newThread(threadTable(), name)`) that the reactor thread can unpark.
 */
export function threadTable(): Int32Array {
  if (table === undefined) throw new OutsideRuntimeError();
  return table;
}

/** This thread's name: `main`, or the `name` a worker was started with in its workerData. */
export function currentThreadName(): string {
  if (isMainThread) return "main";
  const data: unknown = workerData;
  if (
    typeof data === "object" &&
    data !== null &&
    "name" in data &&
    typeof data.name === "string"
  ) {
    return data.name;
  }
  return "";
}
