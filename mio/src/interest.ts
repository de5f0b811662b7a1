/**
 * mio's `Interest`: which readiness a registration wants to hear about. A plain bit set,
 * so `Interest.READABLE | Interest.WRITABLE` works as well as `Interest.add(...)`.
 */
export type Interest = number;

const READABLE = 0b01;
const WRITABLE = 0b10;

/** The interest constants and helpers. */
export const Interest = {
  /** Wake when the source can be read (or the peer hung up). */
  READABLE: READABLE as Interest,
  /** Wake when the source can be written (for a connecting socket: connected or failed). */
  WRITABLE: WRITABLE as Interest,
  /** Both interests of `a` and `b`. */
  add(a: Interest, b: Interest): Interest {
    return a | b;
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

/** Throws a RangeError unless `i` is a non-empty combination of READABLE and WRITABLE. */
export function assertInterest(i: Interest): void {
  if (!Number.isInteger(i) || i <= 0 || (i & ~(READABLE | WRITABLE)) !== 0) {
    throw new RangeError(`interest must be READABLE, WRITABLE or both, got ${i}`);
  }
}
