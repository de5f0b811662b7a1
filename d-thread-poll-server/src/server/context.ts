import type { Mutex } from "@ch08/std";
import type { Connection } from "./connection.js";

/** Cells of a server's shared counters (an `Int32Array` every thread of the server sees). */
export const Stat = {
  /** Requests routed to a delay, across all threads: the `#n` of the log lines. */
  REQUESTS: 0,
  /** Connections accepted. */
  ACCEPTED: 1,
  /** Connections open now. */
  OPEN: 2,
  /** Answers still owed when the stop deadline passed: dropped. */
  DROPPED: 3,
  /** Connections accepted but never served because the server stopped first. */
  DROPPED_CONNECTIONS: 4,
  /** Set to 1 when the server is asked to stop. */
  STOPPING: 5,
  /** Connections an executor took from another's inbox (the multi-threaded runtime). */
  STOLEN: 6,
  /** The bound port, written by whoever binds. */
  PORT: 7,
  /** 1 once the port is bound; -1 if binding failed. */
  BOUND: 8,
  /** The lock that numbers and prints a request's log line as one step (see `logLock`). */
  LOG_LOCK: 9,
  SIZE: 10,
} as const;

/** What every connection task on one thread shares: the server's settings and state. */
export interface ServerContext {
  /** Longest delay a request may ask for; larger gets 400. */
  readonly maxDelayMs: number;
  /** How long a request head may take to arrive, from its first byte, before a 408. */
  readonly headersTimeoutMs: number;
  /** How long a whole request, body included, may take to arrive, before a 408. */
  readonly requestTimeoutMs: number;
  /** The usage line appended to every 4xx. */
  readonly usage: string;
  /** Where the `#n - Xms: message` lines go; undefined when quiet. */
  readonly log: ((line: string) => void) | undefined;
  /** Held while a line is numbered and printed, so several threads still print #n before #n+1. */
  readonly logLock: Mutex;
  /** The server's shared counters (see `Stat`). */
  readonly stats: Int32Array;
  /** This thread's open connections, to nudge when the server stops. */
  readonly connections: Set<Connection>;
  /** Tokens of closed connections, reused so tokens stay few however many connections come and go. */
  readonly freeTokens: number[];
  /** True once the server stops: no new requests, idle connections close. */
  stopping: boolean;
  /** When stopping, the time answers still owed are dropped. */
  dropDeadline: number;
  /** Called when a stopping server's last connection on this thread closes. */
  allClosed: (() => void) | undefined;
}
