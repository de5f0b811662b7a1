/**
 * mio's `Interest`: which readiness a registration wants to hear about. A bit set branded
 * as its own type, so that it and a `Token` cannot be swapped without a compile error;
 * combine interests with `Interest.add` (a bare `|` gives back a plain number).
 */
declare const interestBrand: unique symbol;

/** READABLE, WRITABLE, or both (`Interest.add(Interest.READABLE, Interest.WRITABLE)`). */
export type Interest = number & { readonly [interestBrand]: "Interest" };

const READABLE = 0b01 as Interest;
const WRITABLE = 0b10 as Interest;

/** The interest constants and helpers. */
export const Interest = {
  /** Wake when the source can be read (or the peer hung up). */
  READABLE,
  /** Wake when the source can be written (for a connecting socket: connected or failed). */
  WRITABLE,
  /** Both interests of `a` and `b`, as mio's `Interest::add` (or `a | b` in Rust). */
  add(a: Interest, b: Interest): Interest {
    return (a | b) as Interest;
  },
  /** `a` without the interests of `b`, or null if nothing is left (mio's `remove`). */
  remove(a: Interest, b: Interest): Interest | null {
    const left = a & ~b;
    return left === 0 ? null : (left as Interest);
  },
  /** True if `i` includes READABLE. */
  isReadable(i: Interest): boolean {
    return (i & READABLE) !== 0;
  },
  /** True if `i` includes WRITABLE. */
  isWritable(i: Interest): boolean {
    return (i & WRITABLE) !== 0;
  },
} as const;

/** @internal Throws a RangeError unless `i` is a non-empty combination of READABLE and WRITABLE. */
export function assertInterest(i: number): void {
  if (!Number.isInteger(i) || i <= 0 || (i & ~(READABLE | WRITABLE)) !== 0) {
    throw new RangeError(`interest must be READABLE, WRITABLE or both, got ${i}`);
  }
}
