import { describe, expect, it } from "vitest";
import { Mutex, spawn } from "../dist/index.js";

// Rust's Mutex: a futex in one cell of shared memory.

const threads = new URL("./helpers/threads.mjs", import.meta.url);

describe("Mutex under contention", () => {
  it("three threads adding non-atomically under the lock lose no increment", () => {
    const buffer = new SharedArrayBuffer(8);
    const rounds = 20_000;
    const counters = [1, 2].map((i) =>
      spawn(threads, "countUnderLock", { name: `counter-${i}`, args: [buffer, rounds] }),
    );
    const cells = new Int32Array(buffer);
    const mutex = new Mutex(cells, 0);
    for (let i = 0; i < rounds; i++) {
      mutex.lock();
      const seen = cells[1] ?? 0;
      cells[1] = seen + 1;
      mutex.unlock();
    }
    for (const counter of counters) counter.join(30_000);
    expect(cells[1]).toBe(3 * rounds);
    expect(Atomics.load(cells, 0)).toBe(0); // unlocked, no waiter left behind
  });
});
