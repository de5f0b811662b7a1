import { benchLibc, lastErrno } from "./libc.js";

/** getrusage's RUSAGE_CHILDREN: every child that has exited and been waited for. */
const RUSAGE_CHILDREN = -1;
/** struct rusage on 64-bit Linux: two timevals, then fourteen longs. */
const RUSAGE_LONGS = 18;

/** CPU time, ms. */
export interface CpuTime {
  /** Time in user mode. */
  readonly userMs: number;
  /** Time in the kernel on the process's behalf. */
  readonly systemMs: number;
}

const usage = new BigInt64Array(RUSAGE_LONGS);
const timevalMs = (sec: bigint | undefined, usec: bigint | undefined): number =>
  Number(sec ?? 0n) * 1000 + Number(usec ?? 0n) / 1000;

/**
 * User and system CPU of all this process's children that have ended so far, every thread
 * of theirs included. libuv reaps a child before its 'exit' event, so the difference across
 * one child's life, with no other child ending meanwhile, is that child's whole cost.
 */
export function childrenCpu(): CpuTime {
  if (benchLibc().getrusage(RUSAGE_CHILDREN, usage) !== 0) {
    throw new Error(`getrusage(RUSAGE_CHILDREN) failed (errno ${lastErrno()})`);
  }
  return { userMs: timevalMs(usage[0], usage[1]), systemMs: timevalMs(usage[2], usage[3]) };
}
