import { describe, expect, it } from "vitest";
import {
  createThreadTable,
  newThread,
  spawn,
  Thread,
  TooManyThreadsError,
  useThreadTable,
} from "../dist/index.js";

// Rust's Thread::park / unpark: a park token in shared memory, so any thread unparks.

const threads = new URL("./helpers/threads.mjs", import.meta.url);

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

  it("another thread's unpark wakes a parked thread", () => {
    const tokens = table();
    const thread = newThread(tokens, "main");
    using helper = spawn(threads, "unparkLater", {
      name: "unparker",
      args: [tokens.buffer, thread.slot, 20],
    });
    expect(thread.park(10_000)).toBe(true);
    helper.join(10_000);
  });

  it("a thread parked on another thread wakes when this one unparks it", () => {
    const buffer = createThreadTable();
    const tokens = useThreadTable(buffer);
    const result = new Int32Array(new SharedArrayBuffer(8));
    using parked = spawn(threads, "parkOnce", { name: "parked", args: [buffer, result, 10_000] });
    Atomics.wait(result, 1, 0, 10_000);
    const slot = Atomics.load(result, 1);
    expect(slot).toBeGreaterThan(0);
    new Thread(tokens, slot, "parked").unpark();
    parked.join(10_000);
    expect(Atomics.load(result, 0)).toBe(1);
  });

  it("hands each thread its own slot, and refuses more than the table holds", () => {
    const tokens = table();
    const slots = new Set<number>();
    for (let i = 0; i < 64; i++) slots.add(newThread(tokens, `t${i}`).slot);
    expect(slots.size).toBe(64);
    expect(slots.has(0)).toBe(false); // cell 0 hands out the slots
    expect(() => newThread(tokens, "one too many")).toThrow(TooManyThreadsError);
    expect(new Thread(tokens, 1, "again").name).toBe("again");
  });
});
