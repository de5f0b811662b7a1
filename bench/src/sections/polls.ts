// Section 1: polls per request for N concurrent requests, stage a (joinAll), b (joinAll)
// and c (one task per request). Counts, not times.
import type { ClientKind, ClientResult } from "../client/protocol.js";
import { runClient } from "../run-client.js";
import { median, round } from "../stats.js";

/** The stages section 1 compares. */
export const POLL_STAGES = ["a", "b", "c"] as const satisfies readonly ClientKind[];

/** Polls per request of one stage at one N and delay pattern, over the repetitions. */
export interface PollsRow {
  /** Stage a, b or c. */
  readonly stage: (typeof POLL_STAGES)[number];
  /** "same": every request the same delay; "staggered": request i waits i × staggerMs longer. */
  readonly pattern: "same" | "staggered";
  /** Concurrent requests. */
  readonly n: number;
  /** Leaf polls (sum of HttpGetFuture.polls) per request: the median over repetitions. */
  readonly leafPollsPerRequest: number;
  /** The smallest and largest leaf polls per request seen over repetitions. */
  readonly leafPollsRange: readonly [number, number];
  /** Executor polls per request (a, b: of the joinAll; c: of every task), median. */
  readonly executorPollsPerRequest: number | null;
  /** Reactor events per request (b, c), median. */
  readonly reactorEventsPerRequest: number | null;
  /** Leaf polls per request of each repetition. */
  readonly runs: readonly number[];
}

/** Section 1's settings. */
export interface PollsSettings {
  readonly sizes: readonly number[];
  /** The path of every request ("same"), and the first delay ("staggered"). */
  readonly path: string;
  /** "staggered": request i waits this many ms more than request i − 1. */
  readonly staggerMs: number;
  readonly repetitions: number;
}

const perRequest = (x: number | null, r: ClientResult): number | null =>
  x === null ? null : x / r.job.n;

/** Runs section 1 against the delayserver at `address`. */
export async function pollsPerRequest(
  address: string,
  settings: PollsSettings,
  log: (line: string) => void,
): Promise<PollsRow[]> {
  const rows: PollsRow[] = [];
  const patterns = [
    { pattern: "same", staggerMs: 0 },
    { pattern: "staggered", staggerMs: settings.staggerMs },
  ] as const;
  for (const { pattern, staggerMs } of patterns)
    for (const n of settings.sizes) {
      for (const stage of POLL_STAGES) {
        const results: ClientResult[] = [];
        for (let rep = 0; rep < settings.repetitions; rep++) {
          const r = await runClient({
            kind: stage,
            n,
            path: settings.path,
            address,
            warmupBatches: 0, // polls are counted, not timed: a cold JIT polls as often
            budgetMs: 60_000,
            staggerMs,
          });
          if (r.ok !== n) throw new Error(`stage ${stage}, N=${n}: only ${r.ok} of ${n} responses`);
          results.push(r);
        }
        const leaf = results.map((r) => perRequest(r.leafPolls, r) ?? Number.NaN);
        const exec = results.map((r) => perRequest(r.executorPolls, r));
        const events = results.map((r) => perRequest(r.reactorEvents, r));
        const row: PollsRow = {
          stage,
          pattern,
          n,
          leafPollsPerRequest: round(median(leaf)),
          leafPollsRange: [round(Math.min(...leaf)), round(Math.max(...leaf))],
          executorPollsPerRequest: exec.includes(null) ? null : round(median(exec as number[])),
          reactorEventsPerRequest: events.includes(null) ? null : round(median(events as number[])),
          runs: leaf.map((x) => round(x)),
        };
        log(
          `  ${pattern.padEnd(9)} stage ${stage}  N=${String(n).padStart(5)}  leaf polls/request ${row.leafPollsPerRequest}` +
            ` (${row.leafPollsRange[0]}–${row.leafPollsRange[1]})`,
        );
        rows.push(row);
      }
    }
  return rows;
}
