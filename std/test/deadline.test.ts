import { describe, expect, it } from "vitest";
import { Deadline, DeadlineError } from "../dist/index.js";

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
