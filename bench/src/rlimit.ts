import { benchLibc, lastErrno } from "./libc.js";

/** RLIMIT_NOFILE on Linux (x86-64 and aarch64 alike). */
const RLIMIT_NOFILE = 7;
/** RLIM_INFINITY as the u64 the kernel stores. */
const RLIM_INFINITY = 0xffff_ffff_ffff_ffffn;

/** The soft and hard limits on open files, and whether the soft one was raised. */
export interface FileLimit {
  /** The soft limit in force after `raiseFileLimit`. */
  readonly soft: number;
  /** The hard limit: the most the soft one can be raised to without privileges. */
  readonly hard: number;
  /** The soft limit before `raiseFileLimit`. */
  readonly before: number;
}

const asNumber = (v: bigint | undefined): number =>
  v === undefined || v === RLIM_INFINITY ? Number.POSITIVE_INFINITY : Number(v);

/**
 * Raises the soft limit on open files to the hard limit (as `ulimit -n $(ulimit -Hn)`):
 * a client of N concurrent requests needs N sockets. Child processes inherit it.
 */
export function raiseFileLimit(): FileLimit {
  const { getrlimit, setrlimit } = benchLibc();
  const limit = new BigUint64Array(2);
  if (getrlimit(RLIMIT_NOFILE, limit) !== 0) {
    throw new Error(`getrlimit(RLIMIT_NOFILE) failed (errno ${lastErrno()})`);
  }
  const before = asNumber(limit[0]);
  if (limit[0] !== limit[1]) {
    limit[0] = limit[1] ?? 0n;
    if (setrlimit(RLIMIT_NOFILE, limit) !== 0) {
      // Keep what we have: the benchmarks that need more are skipped with a note.
      getrlimit(RLIMIT_NOFILE, limit);
    }
  }
  return { soft: asNumber(limit[0]), hard: asNumber(limit[1]), before };
}
