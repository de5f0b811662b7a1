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
  /** sched_getaffinity(tid, size, mask): tid 0 is the calling thread. */
  readonly sched_getaffinity: (tid: number, size: number, mask: Uint8Array) => number;
  /** sched_setaffinity(tid, size, mask): tid 0 is the calling thread. */
  readonly sched_setaffinity: (tid: number, size: number, mask: Uint8Array) => number;
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
    sched_getaffinity: lib.func(
      "int sched_getaffinity(int, size_t, void *)",
    ) as BenchLibc["sched_getaffinity"],
    sched_setaffinity: lib.func(
      "int sched_setaffinity(int, size_t, const void *)",
    ) as BenchLibc["sched_setaffinity"],
  };
  return bound;
}

/** errno right after the last call. */
export function lastErrno(): number {
  return koffi.errno();
}

/** glibc's cpu_set_t: 1,024 CPUs, one bit each. */
const CPU_SET_BYTES = 128;

/** The CPUs the calling thread may run on, lowest first. */
export function allowedCpus(): number[] {
  const mask = new Uint8Array(CPU_SET_BYTES);
  if (benchLibc().sched_getaffinity(0, CPU_SET_BYTES, mask) !== 0) {
    throw new Error(`sched_getaffinity failed (errno ${lastErrno()})`);
  }
  const cpus: number[] = [];
  for (let cpu = 0; cpu < CPU_SET_BYTES * 8; cpu++) {
    if (((mask[cpu >> 3] ?? 0) & (1 << (cpu & 7))) !== 0) cpus.push(cpu);
  }
  return cpus;
}

/**
 * Holds the calling thread to `cpus` (the kernel schedules it nowhere else); threads it
 * starts afterwards inherit that. Returns what it was allowed before, to restore with.
 */
export function holdThreadTo(cpus: readonly number[]): number[] {
  const before = allowedCpus();
  const mask = new Uint8Array(CPU_SET_BYTES);
  for (const cpu of cpus) mask[cpu >> 3] = (mask[cpu >> 3] ?? 0) | (1 << (cpu & 7));
  if (benchLibc().sched_setaffinity(0, CPU_SET_BYTES, mask) !== 0) {
    throw new Error(`sched_setaffinity(${cpus.join(",")}) failed (errno ${lastErrno()})`);
  }
  return before;
}
