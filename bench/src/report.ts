import type { ClientKind } from "./client/protocol.js";
import type { Goal, Results } from "./results.js";
import type { CostRow } from "./sections/client-cost.js";
import type { PollsRow, PollsSettings } from "./sections/polls.js";
import { num, ratio, type Table } from "./table.js";

/** How each client is named in tables and the chart. */
export const CLIENT_LABELS: Readonly<Record<ClientKind, string>> = {
  a: "stage a, joinAll",
  b: "stage b, joinAll",
  c: "stage c, 1 executor",
  c2: "stage c, 2 executors",
  ctrace: "stage c, recording a trace",
  d: "stage d, single-threaded",
  net: "node:net + Promise.all",
  fetch: "fetch + Promise.all",
};

const STAGE_LABELS: Readonly<Record<PollsRow["stage"], string>> = {
  a: "a (joinAll)",
  b: "b (joinAll)",
  c: "c (task per request)",
};

/** How a delay pattern reads in a table: `same: /200/x` or `staggered: /200+i/x`. */
export function patternLabel(pattern: PollsRow["pattern"], settings: PollsSettings): string {
  if (pattern === "same") return `same: ${settings.path}`;
  const delay = settings.path.split("/")[1] ?? "";
  const step = settings.staggerMs === 1 ? "i" : `${settings.staggerMs}i`;
  return `staggered: /${delay}+${step}/x`;
}

/** Section 1 as a table. */
export function pollsTable(r: Results): Table {
  const { settings, rows } = r.polls;
  return {
    title: `1. Polls per request, N concurrent requests (median of ${settings.repetitions}; range over repetitions)`,
    header: [
      "delays",
      "stage",
      "N",
      "leaf polls / request",
      "range",
      "executor polls / request",
      "reactor events / request",
    ],
    rows: rows.map((row) => [
      patternLabel(row.pattern, settings),
      STAGE_LABELS[row.stage],
      num(row.n, 0),
      num(row.leafPollsPerRequest, 2),
      `${num(row.leafPollsRange[0], 2)}–${num(row.leafPollsRange[1], 2)}`,
      num(row.executorPollsPerRequest, 2),
      num(row.reactorEventsPerRequest, 2),
    ]),
    notes: [
      "leaf polls = sum of HttpGetFuture.polls (for a and b the same as JoinAll.childPolls);",
      "executor polls: a and b, polls of the top-level joinAll; c, Executor.polls (every task, the spawner included).",
    ],
  };
}

/** Section 2 as a table. */
export function costTable(r: Results): Table {
  const { settings, rows, skipped } = r.clientCost;
  return {
    title:
      `2. Client cost of N concurrent GET ${settings.path}, each client in its own process ` +
      `(median of ${settings.repetitions}; ratio to node:net)`,
    header: [
      "client",
      "N",
      "wall ms",
      "",
      "CPU µs / request",
      "",
      "of which sys",
      "main / runtime / Node threads",
      "maxRSS MiB",
      "",
      "leaf polls / req",
      "SYN retries",
    ],
    rows: rows.map((row: CostRow) => [
      CLIENT_LABELS[row.client],
      num(row.n, 0),
      `${num(row.wallMs, 0)}${row.overBudget ? " (over budget)" : ""}`,
      ratio(row.wallRatio),
      num(row.cpuPerRequestUs, 1),
      ratio(row.cpuRatio),
      num(row.systemPerRequestUs, 1),
      `${num(row.threadsPerRequestUs.main, 0)} / ${num(row.threadsPerRequestUs.runtime, 0)} / ${num(row.threadsPerRequestUs.node, 0)}`,
      num(row.maxRssMiB, 0),
      ratio(row.rssRatio),
      num(row.leafPollsPerRequest, 2),
      num(row.synRetransmits, 0),
    ]),
    notes: [
      `CPU = process.cpuUsage() of the client process (all its threads: the reactor thread included) around the batch, after a warm-up of ${num(settings.warmup, 0)} requests;`,
      "the delayserver runs in a process of its own and is not counted. maxRSS = process.resourceUsage().maxRSS (peak of the process).",
      `SYN retries = TCPSynRetrans during the run (system-wide): the delayserver's accept queue (somaxconn ${r.somaxconn ?? "?"}) overflowed, and each dropped SYN costs its connect 1 s (then 3 s, 7 s…); it is what sets the wall time at N=10,000.`,
      "By thread (µs/request, from /proc/self/task, 10 ms ticks): main = executor or event loop; runtime = reactor (+ 2nd executor) thread; Node = V8 GC/compiler helpers.",
      ...skipped,
    ],
  };
}

/** Section 3 as a table. */
export function overheadTable(r: Results): Table {
  return {
    title: "3. Executor overhead without I/O (mitata, in-process)",
    header: ["benchmark", "ms / iteration", "ns / item", "items / s", "vs native"],
    rows: r.overhead.rows.map((row) => [
      row.name,
      num(row.avgMs, 2),
      num(row.nsPerItem, 1),
      num(row.perSecond, 0),
      ratio(row.ratioToNative),
    ]),
    notes: ["items = tasks (spawn) or wakes/awaits (self-wake); mitata's average per iteration."],
  };
}

/** Section 4 as a table. */
export function wakeTable(r: Results): Table {
  const w = r.wakeLatency;
  const row = (x: typeof w.runtime, vs: string): string[] => [
    x.name,
    num(x.samples, 0),
    num(x.p50Us, 1),
    num(x.p99Us, 1),
    num(x.minUs, 1),
    num(x.meanUs, 1),
    vs,
  ];
  return {
    title: `4. Wake latency across threads (µs; ${num(w.settings.samples, 0)} samples, ${w.gapMs} ms pause before each wake)`,
    header: ["path", "samples", "p50", "p99", "min", "mean", "p50 vs floor"],
    rows: [
      row(w.runtime, ratio(w.p50Ratio)),
      row(w.floor, ratio(1)),
      row(w.epollHop, ratio(w.epollHop.p50Us / w.floor.p50Us)),
      [
        "Atomics ping-pong, hot (mitata): ½ round trip",
        num(w.pingPong.samples, 0),
        num(w.pingPong.oneWayUs, 1),
        "–",
        "–",
        "–",
        "",
      ],
    ],
    notes: [
      "Stamped with process.hrtime (one monotonic clock for every thread) at the wake and when the task is polled.",
      `The runtime's path has two hops in a row: eventfd → reactor thread (epoll hop), then reactor → parked executor (an Atomics hop); p50 of the two floors added: ${num(w.epollHop.p50Us + w.floor.p50Us, 1)} µs.`,
    ],
  };
}

/** The goals of the issue, as a table. */
export function goalsTable(r: Results): Table {
  return {
    title: "Goals",
    header: ["goal", "measured", "met"],
    rows: r.goals.map((g) => [g.goal, g.value, g.met ? "yes" : "NO"]),
  };
}

/** Checks the goals against the figures. */
export function checkGoals(r: Omit<Results, "goals">): Goal[] {
  const goals: Goal[] = [];
  for (const row of r.clientCost.rows.filter((x) => x.client === "c")) {
    goals.push({
      goal: `stage c CPU per request ≤ 0.6 × node:net (N=${num(row.n, 0)})`,
      value: `${ratio(row.cpuRatio)} (${num(row.cpuPerRequestUs, 1)} µs vs ${num(row.cpuPerRequestUs / row.cpuRatio, 1)} µs)`,
      met: row.cpuRatio <= 0.6,
    });
  }
  for (const pattern of ["same", "staggered"] as const) {
    const c = r.polls.rows.filter((x) => x.stage === "c" && x.pattern === pattern);
    const values = c.map((x) => x.leafPollsPerRequest);
    const spread = Math.max(...values) - Math.min(...values);
    goals.push({
      goal: `stage c polls per request constant in N (${patternLabel(pattern, r.polls.settings)})`,
      value: c.map((x) => `N=${num(x.n, 0)}: ${num(x.leafPollsPerRequest, 2)}`).join(", "),
      met: values.length > 0 && spread <= 0.1,
    });
  }
  const w = r.wakeLatency;
  goals.push({
    goal: "wake latency p50 ≤ 3 × the Atomics floor",
    value: `${ratio(w.p50Ratio)} (${num(w.runtime.p50Us, 1)} µs vs ${num(w.floor.p50Us, 1)} µs)`,
    met: w.p50Ratio <= 3,
  });
  return goals;
}

/** The machine line printed above the tables. */
export function machineLine(r: Results): string {
  const m = r.machine;
  const load = Object.entries(r.load)
    .map(([k, [a, b]]) => `${k} ${a.toFixed(1)}→${b.toFixed(1)}`)
    .join(", ");
  return (
    `${m.cpu}, ${m.cores} cores, ${Math.round(m.memoryBytes / 2 ** 30)} GiB, Node ${m.node}, ${m.platform}, ` +
    `${m.date}${r.quick ? " (--quick: small sizes, smoke run)" : ""}, commit ${m.commit ?? "unknown"}; open files ${r.fileLimit.soft}; ` +
    `load average by section: ${load}`
  );
}
