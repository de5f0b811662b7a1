import { DeadlineError } from "./errors.js";

/**
 * Refuses a timeout that is not a number of milliseconds ≥ 0. `Atomics.wait` reads NaN as
 * "no limit", and `Number(process.env.X)` of an unset X is NaN: such a wait would hang.
 */
export function checkTimeoutMs(what: string, timeoutMs: number | undefined): void {
  if (timeoutMs === undefined || (typeof timeoutMs === "number" && timeoutMs >= 0)) return;
  const got = typeof timeoutMs === "string" ? JSON.stringify(timeoutMs) : String(timeoutMs);
  throw new RangeError(
    `${what}: timeoutMs must be a number of milliseconds, 0 or more (leave it out for no limit), got ${got}`,
  );
}

/**
 * How long a blocking `blockOn` may still wait (Rust's has no limit: its tests would hang
 * instead). Every runtime measures it the same way, so it is said once here.
 */
export class Deadline {
  readonly #at: number | undefined;

  /** A limit `timeoutMs` from now; with `undefined`, none. */
  constructor(readonly timeoutMs: number | undefined) {
    checkTimeoutMs("blockOn", timeoutMs);
    this.#at = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
  }

  /** Milliseconds left (0 once passed), or `undefined` with no limit. */
  remaining(): number | undefined {
    return this.#at === undefined ? undefined : Math.max(0, this.#at - performance.now());
  }

  /** The milliseconds left, or `undefined` with no limit; throws `DeadlineError` once passed. */
  check(): number | undefined {
    const remaining = this.remaining();
    if (remaining === 0) throw this.error();
    return remaining;
  }

  /** The error a runtime raises when it gives up at this deadline. */
  error(): DeadlineError {
    return new DeadlineError(this.timeoutMs ?? 0);
  }
}
