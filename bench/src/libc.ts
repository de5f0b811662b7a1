// The few libc calls the orchestrating process makes for itself (file limits, its
// children's CPU time), bound on first use: the client processes never load them.
import koffi from "koffi";

/** The libc functions the bench calls directly. */
export interface BenchLibc {
  /** getrlimit(resource, out): out is {rlim_cur, rlim_max} as two u64. */
  readonly getrlimit: (resource: number, out: BigUint64Array) => number;
  /** setrlimit(resource, limit). */
  readonly setrlimit: (resource: number, limit: BigUint64Array) => number;
  /** getrusage(who, out): out is a struct rusage as 18 longs. */
  readonly getrusage: (who: number, out: BigInt64Array) => number;
}

let bound: BenchLibc | undefined;

/** The bindings, made once per process. */
export function benchLibc(): BenchLibc {
  if (bound !== undefined) return bound;
  const lib = koffi.load("libc.so.6");
  bound = {
    getrlimit: lib.func("int getrlimit(int, void *)") as BenchLibc["getrlimit"],
    setrlimit: lib.func("int setrlimit(int, void *)") as BenchLibc["setrlimit"],
    getrusage: lib.func("int getrusage(int, void *)") as BenchLibc["getrusage"],
  };
  return bound;
}

/** errno right after the last call. */
export function lastErrno(): number {
  return koffi.errno();
}
