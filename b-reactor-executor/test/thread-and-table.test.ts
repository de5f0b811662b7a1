import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { createThreadTable, newThread, Thread, WakerTable } from "../dist/index.js";

// The shared-memory pieces on their own: the park token (Rust's Thread::park/unpark),
// and the waker table behind its Mutex (Rust's Arc<Mutex<HashMap<usize, Waker>>>).

/** The table's size: a token and the token CAPACITY later share an entry. */
const CAPACITY = 1 << 16;

function table(): Int32Array {
  return new Int32Array(createThreadTable());
}

describe("Thread park token", () => {
  it("an unpark before the park makes that park return at once, and only that one", () => {
    const thread = newThread(table(), "t");
    thread.unpark();
    thread.unpark(); // two unparks are one token, as in Rust
    expect(thread.park(5000)).toBe(true);
    expect(thread.park(0)).toBe(false);
  });

  it("a park with nothing to consume sleeps until its timeout and says so", () => {
    const thread = newThread(table(), "t");
    const started = performance.now();
    expect(thread.park(50)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(49);
  });

  it("another thread's unpark wakes a parked thread", async () => {
    const tokens = table();
    const thread = newThread(tokens, "main");
    const worker = new Worker(
      `const { workerData } = require("node:worker_threads");
       const tokens = new Int32Array(workerData.buffer);
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
       Atomics.store(tokens, workerData.slot, 1);
       Atomics.notify(tokens, workerData.slot, 1);`,
      { eval: true, workerData: { buffer: tokens.buffer, slot: thread.slot } },
    );
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    expect(thread.park(5000)).toBe(true);
    await exited;
  });

  it("hands each thread its own slot, and refuses more than the table holds", () => {
    const tokens = table();
    const slots = new Set<number>();
    for (let i = 0; i < 64; i++) slots.add(newThread(tokens, `t${i}`).slot);
    expect(slots.size).toBe(64);
    expect(slots.has(0)).toBe(false); // cell 0 hands out the slots
    expect(() => newThread(tokens, "one too many")).toThrow(/MAX_THREADS/);
    expect(new Thread(tokens, 1, "again").name).toBe("again");
  });
});

describe("WakerTable", () => {
  it("hands out tokens from 1 (0 is the reactor's own)", () => {
    const wakers = WakerTable.create();
    expect(wakers.nextId()).toBe(1);
    expect(wakers.nextId()).toBe(2);
  });

  it("wakes the waker stored last for a token, and nobody once it is removed", () => {
    const wakers = WakerTable.create();
    const token = wakers.nextId();
    const woken: [number, number][] = [];
    const wake = (thread: number, task: number) => {
      woken.push([thread, task]);
    };
    expect(wakers.wake(token, wake)).toBe(false);
    wakers.set(token, 3, 7);
    wakers.set(token, 4, 8); // replaced between polls: only the latest counts
    expect(wakers.wake(token, wake)).toBe(true);
    wakers.remove(token);
    expect(wakers.wake(token, wake)).toBe(false);
    expect(woken).toEqual([[4, 8]]);
  });

  it("never gives a token the waker of another that shares its entry", () => {
    const wakers = WakerTable.create();
    const token = 5;
    wakers.set(token, 1, 0);
    expect(wakers.wake(token + CAPACITY, () => {})).toBe(false);
    expect(() => wakers.set(token + CAPACITY, 2, 0)).toThrow(/WAKER_CAPACITY/);
    wakers.remove(token + CAPACITY); // not its entry: changes nothing
    expect(wakers.wake(token, () => {})).toBe(true);
  });

  it("its Mutex keeps each waker whole while two threads write and this one reads", async () => {
    const wakers = WakerTable.create();
    const token = wakers.nextId();
    const done = new Int32Array(new SharedArrayBuffer(4));
    const rounds = 20_000;
    const writers = [1, 2].map(
      (id) =>
        new Worker(new URL("./helpers/table-writer.mjs", import.meta.url), {
          workerData: { buffer: wakers.buffer, done: done.buffer, id, rounds, token },
        }),
    );
    const exits = writers.map(
      (w) => new Promise<void>((resolve) => w.once("exit", () => resolve())),
    );
    let reads = 0;
    let torn = 0;
    const check = (thread: number, task: number) => {
      if (thread !== task) torn++;
    };
    const deadline = performance.now() + 10_000;
    while (Atomics.load(done, 0) < 2 && performance.now() < deadline) {
      wakers.wake(token, check);
      reads++;
    }
    await Promise.all(exits);
    expect(Atomics.load(done, 0)).toBe(2);
    expect(reads).toBeGreaterThan(0);
    expect(torn).toBe(0);
  });
});
