import { isMainThread, workerData } from "node:worker_threads";
import { Kind, record, tracing } from "@ch08/trace";
import { ThreadState } from "./control.js";
import { OutsideRuntimeError } from "./errors.js";

/** How many threads can park in one runtime. */
export const MAX_THREADS = 64;

// One cell per thread: its park token. Cell 0 hands out the slots.
const EMPTY = 0;
const NOTIFIED = 1;
const NEXT_SLOT = 0;

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
   */
  park(timeoutMs?: number): boolean {
    // A pending unpark is consumed at once, without sleeping.
    if (Atomics.exchange(this.tokens, this.slot, EMPTY) === NOTIFIED) return true;
    // Sleeps only while the token is still EMPTY: an unpark between the exchange above
    // and here changes it, and the wait returns immediately.
    Atomics.wait(this.tokens, this.slot, EMPTY, timeoutMs);
    return Atomics.exchange(this.tokens, this.slot, EMPTY) === NOTIFIED;
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
  if (slot > MAX_THREADS) {
    throw new Error(
      `more than ${MAX_THREADS} threads parked in one runtime: raise MAX_THREADS in runtime/thread.ts`,
    );
  }
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

/** How long terminating a thread, or exiting the process, waits for a thread to load. */
export const START_GATE_MS = 10_000;

/** State cells (array, index) of threads that may still be loading; checked at exit. */
const loading: { cells: Int32Array; index: number }[] = [];

/**
 * Watches the state cell of a thread just started: until the thread has left STARTING
 * (`ThreadState`), the process must not end, or koffi's addon, half registered in that
 * thread, aborts it. So at exit this thread waits (bounded) for every one still loading.
 */
export function guardStart(cells: Int32Array, index = 0): void {
  for (let i = loading.length - 1; i >= 0; i--) {
    const entry = loading[i];
    if (entry !== undefined && Atomics.load(entry.cells, entry.index) !== ThreadState.STARTING)
      loading.splice(i, 1);
  }
  if (loading.length === 0) process.on("exit", waitForLoadingThreads);
  loading.push({ cells, index });
}

/** Blocks (at most `timeoutMs`) until the thread behind `cells[index]` has left STARTING. */
export function waitUntilLoaded(cells: Int32Array, index = 0, timeoutMs = START_GATE_MS): boolean {
  Atomics.wait(cells, index, ThreadState.STARTING, timeoutMs);
  return Atomics.load(cells, index) !== ThreadState.STARTING;
}

/** The exit hook: every thread still loading gets to finish loading before the process ends. */
function waitForLoadingThreads(): void {
  process.removeListener("exit", waitForLoadingThreads);
  const deadline = performance.now() + START_GATE_MS;
  for (const { cells, index } of loading.splice(0)) {
    waitUntilLoaded(cells, index, Math.max(0, deadline - performance.now()));
  }
}
