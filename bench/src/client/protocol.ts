import type { TcpCounters } from "../netstat.js";
import type { BatchOutcome } from "./measure.js";

/** The clients section 2 compares, each run in a child process of its own. */
export const CLIENT_KINDS = [
  "a",
  "b",
  "c",
  "c2",
  "ctrace",
  "d",
  "mio",
  "mio-poll",
  "net",
  "fetch",
] as const;

/**
 * One of `CLIENT_KINDS`: stage a/b (joinAll), c (one executor), c2 (two), ctrace (c with
 * trace recording on), d (single-threaded runtime), a plain mio poll loop (epoll, or the poll(2) backend), node:net, fetch.
 */
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** What a client child process is asked to do. */
export interface ClientJob {
  /** Which client. */
  readonly kind: ClientKind;
  /** How many concurrent requests. */
  readonly n: number;
  /** The request path, e.g. `/300/x`. */
  readonly path: string;
  /** The delayserver's `host:port`. */
  readonly address: string;
  /**
   * Unmeasured batches like the measured one (the same paths, `warmupSize(n)` requests)
   * run before it: until then V8 is still compiling the paths the batch takes, work that
   * a steady state no longer does.
   */
  readonly warmupBatches: number;
  /** Give up after this many ms of measured work (the O(N²) stages can take very long). */
  readonly budgetMs: number;
  /** 0: every request asks for `path`; else request i asks for `/{delay + i × staggerMs}/x` (delay from `path`). */
  readonly staggerMs: number;
}

/**
 * The most requests a warm-up batch makes. By then every path of the batch has run often
 * enough to be compiled; more would make a run at N = 10,000 three times as long, and
 * fetch's connects start to time out under that load.
 */
export const WARMUP_MAX_REQUESTS = 2_000;

/** How many requests a warm-up batch makes: N, up to `WARMUP_MAX_REQUESTS`. */
export function warmupSize(n: number): number {
  return Math.min(n, WARMUP_MAX_REQUESTS);
}

/** The path of request `i` of `job`: the same for all, or staggered by `job.staggerMs`. */
export function pathOf(job: ClientJob, i: number): string {
  if (job.staggerMs === 0) return job.path;
  const delay = Number(job.path.split("/")[1] ?? 0);
  return `/${delay + i * job.staggerMs}/x`;
}

/** What a client child process measured about itself, around the measured batch only. */
export interface ClientResult {
  /** The job it ran. */
  readonly job: ClientJob;
  /** Responses that came back complete with status 200. */
  readonly ok: number;
  /** True if the budget ran out before every response came back (the figures are then partial). */
  readonly overBudget: boolean;
  /** Wall-clock time of the batch. */
  readonly wallMs: number;
  /** User CPU time of the whole process (every thread) during the batch. */
  readonly userMs: number;
  /** System CPU time of the whole process (every thread) during the batch. */
  readonly systemMs: number;
  /** Peak resident set size of the process (getrusage maxrss), bytes. */
  readonly maxRssBytes: number;
  /** Resident set size just before the batch, bytes. */
  readonly rssBeforeBytes: number;
  /** Polls of the leaf futures (sum of HttpGetFuture.polls); null for the baselines. */
  readonly leafPolls: number | null;
  /** Polls made by the executor: stage a/b the top-level future's, stage c every task's. */
  readonly executorPolls: number | null;
  /** Events the reactor thread handled (stages b and c). */
  readonly reactorEvents: number | null;
  /** Events for which the reactor found no waker and dropped the wake (stages b and c). */
  readonly reactorDropped: number | null;
  /** Kernel TCP counters over the whole client run (set by the parent; system-wide). */
  readonly tcp?: TcpCounters;
  /** The batch's CPU by thread, from /proc (10 ms ticks: coarse, but it shows where it goes). */
  readonly threads: ThreadCpu;
}

/** CPU ms of a batch by kind of thread. */
export interface ThreadCpu {
  /** The main thread: the executor (stages), the event loop (baselines). */
  readonly mainMs: number;
  /** Threads the client started: the reactor thread, a second executor thread. */
  readonly runtimeThreadsMs: number;
  /** Node's own threads: V8's GC and compiler helpers, libuv's pool. */
  readonly nodeThreadsMs: number;
}

/** The message a client child process sends back over IPC. */
export type ClientMessage =
  | { readonly type: "result"; readonly result: ClientResult }
  | { readonly type: "error"; readonly message: string };

/** A client as its child process drives it: warm-up batches, prepare (unmeasured), run (measured). */
export interface Client {
  /** An unmeasured batch of `n` requests like the measured one, where `run` cannot repeat (default: `run`). */
  warm?(n: number): unknown;
  /** Unmeasured set-up right before the batch (e.g. starting an executor thread). */
  prepare?(): void;
  /** The batch: measured with the job's N, a warm-up with a smaller `n`. */
  run(n?: number): BatchOutcome | Promise<BatchOutcome>;
}
