import { describe, expect, it } from "vitest";
import { createThreadTable, Deadline, DeadlineError, newThread } from "../dist/index.js";

// A runtime's `blockOn({ timeoutMs })` leans on these: no limit means no timeout at all,
// and a limit that has passed means give up, with the limit in the error.

/** Blocks this thread for `ms` without a timer (a test of time needs real time to pass). */
function sleepFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe("Deadline", () => {
  it("with no limit, never has time left to count and never throws", () => {
    const deadline = new Deadline(undefined);
    expect(deadline.remaining()).toBeUndefined();
    expect(deadline.check()).toBeUndefined();
  });

  it("counts down, and once passed says 0 and throws DeadlineError naming the limit", () => {
    const deadline = new Deadline(30);
    const left = deadline.check();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(30);
    sleepFor(40);
    expect(deadline.remaining()).toBe(0);
    expect(() => deadline.check()).toThrow(DeadlineError);
    expect(() => deadline.check()).toThrow(/30 ms/);
  });

  it("a zero limit has passed at once", () => {
    expect(() => new Deadline(0).check()).toThrow(DeadlineError);
  });
});

describe("a timeout that is not a number of milliseconds ≥ 0 is refused, not waited on", () => {
  // Atomics.wait reads NaN as "no limit": before this check, blockOn({ timeoutMs: NaN })
  // (what Number(process.env.X) gives when X is unset) parked for ever.
  const bad: unknown[] = [Number.NaN, -1, "5", "abc", null];
  it.each(bad)("Deadline(%j) throws RangeError saying what to pass", (timeoutMs) => {
    expect(() => new Deadline(timeoutMs as number)).toThrow(RangeError);
    expect(() => new Deadline(timeoutMs as number)).toThrow(
      /blockOn: timeoutMs must be a number of milliseconds, 0 or more \(leave it out for no limit\), got /,
    );
  });

  it.each(bad)("Thread.park(%j) throws instead of sleeping for ever", (timeoutMs) => {
    const thread = newThread(new Int32Array(createThreadTable()), "t");
    expect(() => thread.park(timeoutMs as number)).toThrow(/park: timeoutMs must be/);
  });

  it("0 and Infinity are limits: at once, and none", () => {
    expect(() => new Deadline(0)).not.toThrow();
    expect(new Deadline(Number.POSITIVE_INFINITY).remaining()).toBe(Number.POSITIVE_INFINITY);
  });
});
