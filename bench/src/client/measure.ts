import type { ClientJob, ClientResult } from "./protocol.js";

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
}

/** Runs `batch` and measures wall time, process CPU (all threads) and peak RSS around it. */
export async function measureBatch(
  job: ClientJob,
  batch: () => BatchOutcome | Promise<BatchOutcome>,
): Promise<ClientResult> {
  const rssBeforeBytes = process.memoryUsage.rss();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const outcome = await batch();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
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
