/** What the main thread hands the server thread in workerData (functions cannot cross). */
export interface ThreadData {
  host: string | undefined;
  port: number | undefined;
  maxDelayMs: number | undefined;
  backlog: number | undefined;
  /** A socket bound elsewhere to serve on (a descriptor is the process's, so any thread can). */
  fd: number | undefined;
  quiet: boolean;
  /** Send `#n` lines to the main thread (a `log` callback lives there) instead of fd 1. */
  forwardLog: boolean;
  /** Send warnings to the main thread (a `warn` callback lives there) instead of fd 2. */
  forwardWarn: boolean;
}

/** Enough of a ListenError to rebuild it on the other side (class instances do not cross). */
export interface ListenFailure {
  host: string;
  port: number;
  code: string | undefined;
  reason: string;
}

/** A message from the server thread to the main thread. */
export type FromThread =
  | { type: "listening"; host: string; port: number; address: string }
  | { type: "failed"; listen: ListenFailure | undefined; message: string }
  | { type: "log"; line: string }
  | { type: "warn"; line: string };

/** A message from the main thread to the server thread. */
export type ToThread = { type: "close" };
