import { readdirSync, readFileSync } from "node:fs";
import type { ClientJob, ClientResult, ThreadCpu } from "./protocol.js";

// /proc/<pid>/task/<tid>/stat counts in clock ticks: 100 per second on Linux (USER_HZ).
const TICK_MS = 10;

/** CPU ms (user + system) of each thread of this process, by thread id; empty off Linux. */
export function threadTimes(): Map<number, number> {
  const times = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return times;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      // Fields after "(comm) ": state is field 3; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      times.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * TICK_MS);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return times;
}

/**
 * Splits the CPU spent between `before` and `after` into the main thread, the threads
 * started after `nodeThreads` was taken (the runtime's: reactor, executor threads), and
 * Node's own (V8's GC and compiler helpers, libuv).
 */
function splitThreads(
  nodeThreads: ReadonlySet<number>,
  before: Map<number, number>,
  after: Map<number, number>,
): ThreadCpu {
  let main = 0;
  let runtime = 0;
  let node = 0;
  for (const [tid, ms] of after) {
    const spent = ms - (before.get(tid) ?? 0);
    if (tid === process.pid) main += spent;
    else if (nodeThreads.has(tid)) node += spent;
    else runtime += spent;
  }
  return { mainMs: main, runtimeThreadsMs: runtime, nodeThreadsMs: node };
}

/** What a client reports about its batch beyond the process-wide figures. */
export interface BatchOutcome {
  /** Complete 200 responses. */
  readonly ok: number;
  /** The budget ran out first. */
  readonly overBudget: boolean;
  /** Sum of HttpGetFuture.polls, or null. */
  readonly leafPolls: number | null;
  /** Executor polls, or null. */
  readonly executorPolls: number | null;
  /** Reactor events, or null. */
  readonly reactorEvents: number | null;
  /** Reactor events dropped for want of a waker, or null. */
  readonly reactorDropped: number | null;
}

/** Runs `batch` and measures wall time, process CPU (all threads, and by thread) and peak RSS around it. */
export async function measureBatch(
  job: ClientJob,
  nodeThreads: ReadonlySet<number>,
  batch: () => BatchOutcome | Promise<BatchOutcome>,
): Promise<ClientResult> {
  const rssBeforeBytes = process.memoryUsage.rss();
  const threads0 = threadTimes();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const outcome = await batch();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const threads = splitThreads(nodeThreads, threads0, threadTimes());
  // maxRSS is in KiB (getrusage's ru_maxrss).
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  return {
    job,
    ...outcome,
    wallMs,
    userMs: cpu.user / 1000,
    systemMs: cpu.system / 1000,
    maxRssBytes,
    rssBeforeBytes,
    threads,
  };
}

/** True if `text` is a whole response with status 200. */
export function isOk(text: string): boolean {
  return text.startsWith("HTTP/1.1 200") || text.startsWith("HTTP/1.0 200");
}

/** Thrown by a budgeted future once its time is up. */
export class BudgetExceeded extends Error {
  constructor(budgetMs: number) {
    super(`gave up after the budget of ${budgetMs} ms`);
    this.name = "BudgetExceeded";
  }
}
