import { describe, expect, it } from "vitest";
import { MAX_THREADS, QueueFullError, SharedQueue } from "../dist/index.js";

// The stand-in for Arc<Mutex<Vec<usize>>>: many queues of numbers in one buffer.

describe("SharedQueue", () => {
  it("drains what was pushed, oldest first, and is empty after", () => {
    const queue = new SharedQueue(SharedQueue.createMany(1, 8));
    for (const n of [3, 1, 2]) queue.push(n);
    const out: number[] = [];
    expect(queue.drainInto(out)).toBe(false);
    expect(out).toEqual([3, 1, 2]);
    out.length = 0;
    queue.drainInto(out);
    expect(out).toEqual([]);
  });

  it("keeps the queues of one buffer apart", () => {
    const buffer = SharedQueue.createMany(3, 4);
    new SharedQueue(buffer, 0).push(10);
    new SharedQueue(buffer, 2).push(12);
    const out: number[] = [];
    new SharedQueue(buffer, 1).drainInto(out);
    expect(out).toEqual([]);
    new SharedQueue(buffer, 2).drainInto(out);
    expect(out).toEqual([12]);
    expect(() => new SharedQueue(buffer, 3)).toThrow(RangeError);
  });

  it("perThread holds a queue for every thread slot, the last one included", () => {
    const buffer = SharedQueue.perThread(4);
    new SharedQueue(buffer, MAX_THREADS).push(7);
    const out: number[] = [];
    new SharedQueue(buffer, MAX_THREADS).drainInto(out);
    expect(out).toEqual([7]);
    expect(() => new SharedQueue(buffer, MAX_THREADS + 1)).toThrow(RangeError);
  });

  it("when full, push throws QueueFullError and pushOrMark drops and remembers it", () => {
    const queue = new SharedQueue(SharedQueue.createMany(1, 2));
    queue.push(1);
    queue.push(2);
    expect(() => queue.push(3)).toThrow(QueueFullError);
    expect(queue.pushOrMark(4)).toBe(false);
    const out: number[] = [];
    expect(queue.drainInto(out)).toBe(true); // something was dropped: look at everything
    expect(out).toEqual([1, 2]);
    expect(queue.drainInto(out)).toBe(false);
  });
});
