import type { Future } from "../../dist/index.js";

/** Spawns five requests; each answered one adds 1 to `counts[index]`. */
export function fiveRequests(
  counts: Int32Array,
  index: number,
  delayUnitMs: number,
  quiet?: boolean,
): Future<string>;

/** A program that never finishes. */
export function never(): Future<never>;

/** Spawns `n` requests answered at once; each answered one adds 1 to `counts[index]`. */
export function immediateRequests(counts: Int32Array, index: number, n: number): Future<string>;

/** A program that is ready on its first poll. */
export function atOnce(): Future<string>;
