import { errno, errnoName, strerror } from "./sys/libc.js";

/**
 * A failed system call, shaped like Node's system errors so it reads familiarly:
 * `connect ECONNREFUSED 127.0.0.1:8080: connection refused`.
 */
export class IoError extends Error {
  /** The errno name, e.g. "ECONNREFUSED". */
  readonly code: string;
  /** The raw errno value. */
  readonly errno: number;
  /** The libc call that failed, e.g. "connect". */
  readonly syscall: string;
  /** The peer ("host:port") when the call concerned one. */
  readonly address: string | undefined;

  /** Builds the error for `errno` returned by `syscall` (on `address`, if any). */
  constructor(syscall: string, errno: number, address?: string) {
    const code = errnoName(errno);
    const where = address === undefined ? "" : ` ${address}`;
    super(`${syscall} ${code}${where}: ${strerror(errno)}`);
    this.name = "IoError";
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
    this.address = address;
  }
}

/**
 * @internal mio's `syscall!`: passes a libc result through, or throws the IoError for
 * errno when it is negative. Call it directly around the libc call, so nothing can
 * change errno in between: `const fd = syscall("socket", socket(...))`.
 */
export function syscall(name: string, result: number, address?: string): number {
  if (result < 0) throw new IoError(name, errno(), address);
  return result;
}
