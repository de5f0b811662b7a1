import type { DelayServer } from "@ch08/delayserver/protocol";
import type { SpawnerHandle } from "../spawner.js";

/** The most executor threads a server takes (`threads`, `pnpm serve --threads`). */
export const MAX_THREADS = 32;

/** How to run stage d's server; every field has a default (the delayserver's where it has one). */
export interface ServeOptions {
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Port to listen on; default 8080, and 0 picks a free one. */
  port?: number;
  /** Longest delay a request may ask for; default 60000. Larger asks get 400. */
  maxDelayMs?: number;
  /** When true, print no `#n - …` line per request. */
  quiet?: boolean;
  /** Where the `#n - …` lines go instead of stdout (they cross from the server's threads). */
  log?: (line: string) => void;
  /** 1 (default): the single-threaded runtime; N > 1 (up to `MAX_THREADS`): a polling thread and N executor threads. */
  threads?: number;
  /** Length of the kernel's accept queue; default 4096. */
  backlog?: number;
  /** How long in-flight answers may take once a stop is asked for; default 10000 ms. */
  graceMs?: number;
  /**
   * How long a request head may take to arrive, from its first byte; default 60000 ms, as
   * node:http's `headersTimeout`. A client that trickles it slower gets 408 and is closed.
   */
  headersTimeoutMs?: number;
  /**
   * How long a whole request, body included, may take to arrive, from its first byte;
   * default 300000 ms, as node:http's `requestTimeout`. A body trickled slower gets 408
   * and the connection is closed: each byte would otherwise keep it from idling out.
   */
  requestTimeoutMs?: number;
  /** Modules every server thread imports before it starts, so a `Spawner` can name their exports. */
  modules?: readonly (string | URL)[];
}

/** What a stop left behind. */
export interface StopSummary {
  /** Requests routed to a delay since the start. */
  readonly requests: number;
  /** Connections accepted since the start. */
  readonly accepted: number;
  /** Answers still owed at the deadline, dropped. */
  readonly droppedAnswers: number;
  /** Connections accepted but never served. */
  readonly droppedConnections: number;
}

/** A running stage-d server: the delayserver's handle, plus how to stop it and what that dropped. */
export interface ThreadPollServer extends DelayServer {
  /** How many executor threads serve (1: the single-threaded runtime). */
  readonly threads: number;
  /** Stops accepting, lets in-flight answers finish up to `graceMs`, and says what was dropped. */
  stop(): Promise<StopSummary>;
  /** A spawner that runs jobs on executor `index` (0 for the single-threaded runtime); usable from any thread. */
  spawner(index?: number): SpawnerHandle;
  /** Counters so far: requests, accepted and open connections, connections stolen between executors. */
  counters(): { requests: number; accepted: number; open: number; stolen: number };
}

/** What the server's threads are told at start (plain data, sent in `workerData`). */
export interface ServerThreadOptions {
  readonly host: string;
  readonly port: number;
  readonly maxDelayMs: number;
  readonly backlog: number;
  readonly graceMs: number;
  /** How long a request head may take to arrive (see `ServeOptions.headersTimeoutMs`). */
  readonly headersTimeoutMs: number;
  /** How long a whole request may take to arrive (see `ServeOptions.requestTimeoutMs`). */
  readonly requestTimeoutMs: number;
  /** Where request lines go: stdout, a BroadcastChannel of this name, or nowhere. */
  readonly log:
    | { readonly to: "stdout" }
    | { readonly to: "channel"; readonly name: string }
    | { readonly to: "none" };
  /** The server's shared counters (see `Stat`). */
  readonly stats: SharedArrayBuffer;
  /** Module URLs to import before serving (see `ServeOptions.modules`). */
  readonly modules: readonly string[];
  /** Each executor's job queue (one for the single-threaded runtime). */
  readonly jobs: readonly SharedArrayBuffer[];
}
