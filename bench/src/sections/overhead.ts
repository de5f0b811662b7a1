// Section 4: stage c's executor without I/O (mitata, in this process), against the
// closest thing plain Promises do: spawn-and-complete of many trivial tasks, and one
// task that wakes itself many times.
import {
  type Future,
  NOT_READY,
  type PollState,
  ready,
  runtime,
  spawn,
  type Waker,
} from "@ch08/c-runtime-executor";
import { measure } from "mitata";
import { round } from "../stats.js";

/** One benchmark's mitata figures. */
export interface OverheadRow {
  /** What was measured. */
  readonly name: string;
  /** Which side: the stage c executor, or native Promises. */
  readonly side: "stage c" | "native";
  /** Which pair it belongs to. */
  readonly pair: "spawn" | "self-wake";
  /** Tasks (or wakes/awaits) in one iteration. */
  readonly count: number;
  /** Time of one iteration, ms: mitata's average and median. */
  readonly avgMs: number;
  /** Median iteration time, ms. */
  readonly p50Ms: number;
  /** Fastest iteration, ms. */
  readonly minMs: number;
  /** 99th-percentile iteration, ms: with min, the spread. */
  readonly p99Ms: number;
  /** mitata samples taken. */
  readonly samples: number;
  /** Tasks (or wakes) per second, from the average. */
  readonly perSecond: number;
  /** Nanoseconds per task (or wake), from the average. */
  readonly nsPerItem: number;
  /** This row's time per item / the native row's of the same pair (1 for the native row). */
  readonly ratioToNative: number;
}

/** Section 4's settings. */
export interface OverheadSettings {
  readonly tasks: number;
  readonly wakes: number;
  readonly minSamples: number;
  readonly minCpuMs: number;
}

const trivialPoll = (): PollState<number> => ready(1);

/** A future that spawns `n` trivial tasks (each ready on its first poll) and is done. */
function spawnTrivial(n: number): Future<void> {
  return {
    poll(): PollState<void> {
      for (let i = 0; i < n; i++) spawn({ poll: trivialPoll });
      return ready(undefined);
    },
  };
}

/** A task that wakes itself and returns NotReady until it has been polled `target` times. */
class SelfWaking implements Future<number> {
  private count = 0;
  constructor(private readonly target: number) {}
  poll(waker: Waker): PollState<number> {
    if (++this.count >= this.target) return ready(this.count);
    waker.wake();
    return NOT_READY;
  }
}

const trivialThen = (): number => 1;

async function awaitLoop(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await null;
}

/** Runs section 4: starts stage c's runtime in this process, measures, shuts it down. */
export async function executorOverhead(
  settings: OverheadSettings,
  log: (line: string) => void,
): Promise<OverheadRow[]> {
  const executor = runtime.init();
  const opts = { min_samples: settings.minSamples, min_cpu_time: settings.minCpuMs * 1e6 };
  const { tasks, wakes } = settings;
  const cases: {
    name: string;
    side: OverheadRow["side"];
    pair: OverheadRow["pair"];
    count: number;
    fn: () => unknown;
  }[] = [
    {
      name: `stage c: spawn ${tasks.toLocaleString("en-US")} trivial tasks, blockOn until done`,
      side: "stage c",
      pair: "spawn",
      count: tasks,
      fn: () => executor.blockOn(spawnTrivial(tasks)),
    },
    {
      name: `native: Promise.all of ${tasks.toLocaleString("en-US")} Promise.resolve().then(f)`,
      side: "native",
      pair: "spawn",
      count: tasks,
      fn: () =>
        Promise.all(Array.from({ length: tasks }, () => Promise.resolve().then(trivialThen))),
    },
    {
      name: `stage c: one task, waker.wake() then NotReady, ${wakes.toLocaleString("en-US")} times`,
      side: "stage c",
      pair: "self-wake",
      count: wakes,
      fn: () => executor.blockOn(new SelfWaking(wakes)),
    },
    {
      name: `native: \`await null\` ${wakes.toLocaleString("en-US")} times`,
      side: "native",
      pair: "self-wake",
      count: wakes,
      fn: () => awaitLoop(wakes),
    },
  ];
  const measured: Omit<OverheadRow, "ratioToNative">[] = [];
  try {
    for (const c of cases) {
      const stats = await measure(c.fn, opts);
      const avgMs = stats.avg / 1e6;
      const row = {
        name: c.name,
        side: c.side,
        pair: c.pair,
        count: c.count,
        avgMs: round(avgMs),
        p50Ms: round(stats.p50 / 1e6),
        minMs: round(stats.min / 1e6),
        p99Ms: round(stats.p99 / 1e6),
        samples: stats.samples.length,
        perSecond: round(c.count / (avgMs / 1000)),
        nsPerItem: round(stats.avg / c.count),
      };
      log(
        `  ${c.name}: ${row.avgMs} ms (min ${row.minMs}, p99 ${row.p99Ms}), ${row.nsPerItem} ns each`,
      );
      measured.push(row);
    }
  } finally {
    runtime.shutdown();
  }
  return measured.map((row) => {
    const native = measured.find((m) => m.pair === row.pair && m.side === "native");
    return { ...row, ratioToNative: round(row.nsPerItem / (native?.nsPerItem ?? Number.NaN), 3) };
  });
}
