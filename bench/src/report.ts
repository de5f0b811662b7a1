import { type ClientKind, WARMUP_MAX_REQUESTS } from "./client/protocol.js";
import {
  EARLIER_RUNS_SHOWN,
  type RunVerdicts,
  recordFor,
  recordText,
  verdictsFor,
  verdictsOf,
  verdictText,
} from "./history.js";
import type { Goal, Results } from "./results.js";
import type { CostRow, CostSettings } from "./sections/client-cost.js";
import type { PollsRow, PollsSettings } from "./sections/polls.js";
import type { Spread } from "./stats.js";
import { digitsAgainst, num, ratio, type Table } from "./table.js";

// The issues' bounds, each named once: the goal's text, its verdict and how its figure is
// printed all read them (the text must stay as history.jsonl matches it).
/** Stage c's CPU per request in steady state, as a share of node:net's. */
const STAGE_C_GOAL = 0.6;
/** Stage d's client and the bare mio loop: CPU per request, as a share of node:net's. */
const FLOOR_GOAL = 0.5;
/** Stage c's 2,000-request process, CPU start to exit, as a share of node:net's. */
const WHOLE_PROCESS_GOAL = 0.7;
/** The delayserver's throughput, as a share of a bare node:http handler's. */
const THROUGHPUT_GOAL = 0.9;

/** How each client is named in tables and the chart. */
export const CLIENT_LABELS: Readonly<Record<ClientKind, string>> = {
  a: "stage a, joinAll",
  b: "stage b, joinAll",
  c: "stage c, 1 executor",
  c2: "stage c, 2 executors",
  ctrace: "stage c, recording a trace",
  d: "stage d, single-threaded",
  mio: "no runtime: a mio poll loop",
  "mio-poll": "mio poll loop, poll(2) backend",
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
export function pollsTable(r: Pick<Results, "polls">): Table {
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

/** "median (min–max)" of a value and its range. */
function withRange(median: number, range: readonly [number, number], digits: number): string {
  return `${num(median, digits)} (${num(range[0], digits)}–${num(range[1], digits)})`;
}

/** A Spread as "median (min–max)". */
function spreadText(s: Spread, digits: number): string {
  return withRange(s.median, [s.min, s.max], digits);
}

/** A difference in seconds with its sign, as "+0.21". */
function signed(x: number, digits = 3): string {
  return Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${x.toFixed(digits)}` : "–";
}

/** How section 2's clients warmed up, in the words of the run that measured them. */
function warmedUp(settings: CostSettings): string {
  if (settings.warmupBatches === undefined)
    return `after a warm-up of ${num(settings.warmup ?? 0, 0)} requests`;
  const batches = settings.warmupBatches === 1 ? "batch" : "batches";
  return `after ${settings.warmupBatches} unmeasured ${batches} like it, of up to ${num(WARMUP_MAX_REQUESTS, 0)} requests (steady state: V8 has compiled the paths the batch takes)`;
}

/** "the delayserver's accept queue (somaxconn 4096)", or its queues where it had several. */
function queuesText(r: Pick<Results, "somaxconn" | "delayserverListeners">): string {
  const each = `somaxconn ${r.somaxconn ?? "?"}`;
  const listeners = r.delayserverListeners ?? 1;
  return listeners === 1
    ? `the delayserver's accept queue (${each})`
    : `one of the delayserver's ${listeners} accept queues (sockets sharing its port with SO_REUSEPORT, ${each} each)`;
}

/** Section 2 as a table. */
export function costTable(
  r: Pick<Results, "clientCost" | "somaxconn" | "delayserverListeners">,
): Table {
  const { settings, rows, skipped } = r.clientCost;
  return {
    title:
      `2. Client cost in steady state: N concurrent GET ${settings.path}, each client in its own process, ` +
      `warmed up (median of ${settings.repetitions} (min–max); ratio to node:net)`,
    header: [
      "client",
      "N",
      "wall ms",
      "CPU µs / request",
      "",
      "user",
      "",
      "sys",
      "main / runtime / Node threads",
      "maxRSS MiB",
      "",
      "leaf polls / req",
      "SYN retries",
    ],
    rows: rows.map((row: CostRow) => [
      CLIENT_LABELS[row.client],
      num(row.n, 0),
      `${withRange(row.wallMs, row.wallRangeMs, 0)}${row.overBudget ? " (over budget)" : ""}`,
      withRange(row.cpuPerRequestUs, row.cpuPerRequestRangeUs, 1),
      ratio(row.cpuRatio),
      num(row.userPerRequestUs, 1),
      ratio(row.userRatio),
      num(row.systemPerRequestUs, 1),
      `${num(row.threadsPerRequestUs.main, 0)} / ${num(row.threadsPerRequestUs.runtime, 0)} / ${num(row.threadsPerRequestUs.node, 0)}`,
      num(row.maxRssMiB, 0),
      ratio(row.rssRatio),
      num(row.leafPollsPerRequest, 2),
      num(row.synRetransmits, 0),
    ]),
    notes: [
      `CPU = process.cpuUsage() of the client process (all its threads: the reactor thread included) around the batch, ${warmedUp(settings)};`,
      "user and sys split it: sys is mostly the kernel's loopback TCP work (connect, send, receive, close), about the same for every client; user is what the client itself adds above it.",
      "The delayserver runs in a process of its own and is not counted. maxRSS = process.resourceUsage().maxRSS (peak of the process).",
      `SYN retries = TCPSynRetrans during the run (system-wide): ${queuesText(r)} overflowed, and each dropped SYN costs its connect 1 s (then 3 s, 7 s…).`,
      "By thread (µs/request, from /proc/self/task, 10 ms ticks): main = executor or event loop; runtime = reactor (+ 2nd executor) thread; Node = V8 GC/compiler helpers.",
      ...skipped,
    ],
  };
}

const FLOOR_LABELS: Readonly<Record<string, string>> = {
  node: "bare node",
  "node-worker": "bare node + one Worker",
  "node-worker-koffi": "node + one Worker, koffi in both threads",
};

/** Section 3 as a table. */
export function coldTable(r: Pick<Results, "cold">): Table {
  const { settings, rows, manyRatio } = r.cold;
  const c = rows.find((x) => x.id === "one-c")?.overFloor;
  const a = rows.find((x) => x.id === "one-a")?.overFloor;
  const d = rows.find((x) => x.id === "one-d")?.overFloor;
  const dFile = rows.find((x) => x.id === "one-d-file")?.overFloor;
  const certs = rows.find((x) => x.id === "node-ca-certs")?.overFloor;
  return {
    title: `3. Cold, whole process: each program a child process, start to exit (s; median of ${settings.repetitions} interleaved runs (min–max))`,
    header: [
      "program",
      "CPU s",
      "user",
      "sys",
      "wall s",
      "CPU over its floor",
      "wall over its floor",
      "floor",
    ],
    rows: rows.map((row) => [
      row.label,
      spreadText(row.cpuS, 3),
      num(row.userS.median, 3),
      num(row.systemS.median, 3),
      spreadText(row.wallS, 3),
      row.overFloor === null
        ? ""
        : `${signed(row.overFloor.cpuS.median)} (${signed(row.overFloor.cpuS.min)}…${signed(row.overFloor.cpuS.max)})`,
      row.overFloor === null
        ? ""
        : `${signed(row.overFloor.wallS.median)} (${signed(row.overFloor.wallS.min)}…${signed(row.overFloor.wallS.max)})`,
      row.overFloor === null ? "" : (FLOOR_LABELS[row.overFloor.floor] ?? row.overFloor.floor),
    ]),
    notes: [
      "CPU = user + system time of the child and all its threads (getrusage(RUSAGE_CHILDREN) across its life); wall = spawn to exit, as seen by the bench.",
      "Over its floor: this program minus its floor in the same repetition (runs are interleaved, the order rotated), median and range of those differences.",
      `Start-up, one request: stage c ${signed(c?.cpuS.median ?? Number.NaN)} s CPU, ${signed(c?.wallS.median ?? Number.NaN)} s wall over bare node + one Worker (goal ≤ +0.040 s);` +
        ` stage a (worker-free) ${signed(a?.cpuS.median ?? Number.NaN)} s CPU, ${signed(a?.wallS.median ?? Number.NaN)} s wall over bare node.`,
      ...(d && dFile
        ? [
            `Stage d's one-request program as it ships ${signed(d.cpuS.median)} s CPU over bare node, the same program bundled into one file ${signed(dFile.cpuS.median)} s: the difference is what Node still pays to load the modules that stay files, one at a time.`,
          ]
        : []),
      `${num(settings.n, 0)} × GET ${settings.path} as whole processes: stage c / node:net CPU ${spreadText(manyRatio.cpu, digitsAgainst(manyRatio.cpu.median, WHOLE_PROCESS_GOAL))}×, wall ${spreadText(manyRatio.wall, 2)}× (goal ≤ ${WHOLE_PROCESS_GOAL}× CPU).`,
      "The book's examples wait on the delayserver most of their wall time; their CPU is what a reader's run costs.",
      ...(certs
        ? [
            `This machine sets NODE_EXTRA_CA_CERTS: every Node process it starts parses that certificate bundle first, ${signed(certs.cpuS.median)} s CPU over bare node. No program here uses TLS and a default install does not set it, so every other row runs without it.`,
          ]
        : []),
    ],
  };
}

/** Section 4 as a table. */
export function overheadTable(r: Pick<Results, "overhead">): Table {
  return {
    title: "4. Executor overhead without I/O (mitata, in-process)",
    header: ["benchmark", "ms / iteration", "min … p99", "ns / item", "items / s", "vs native"],
    rows: r.overhead.rows.map((row) => [
      row.name,
      num(row.avgMs, 2),
      `${num(row.minMs, 2)} … ${num(row.p99Ms, 2)}`,
      num(row.nsPerItem, 1),
      num(row.perSecond, 0),
      ratio(row.ratioToNative),
    ]),
    notes: [
      "items = tasks (spawn) or wakes/awaits (self-wake); mitata's average per iteration, its fastest and 99th-percentile iteration beside it.",
    ],
  };
}

/** Section 5 as a table. */
export function wakeTable(r: Pick<Results, "wakeLatency">): Table {
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
    title: `5. Wake latency across threads (µs; ${num(w.settings.samples, 0)} samples, ${w.gapMs} ms pause before each wake)`,
    header: ["path", "samples", "p50", "p99", "min", "mean", "p50 vs floor"],
    rows: [
      row(w.runtime, ratio(w.p50Ratio)),
      ...(w.oneThread === undefined
        ? []
        : [row(w.oneThread, ratio(w.oneThread.p50Us / w.floor.p50Us))]),
      row(w.floor, ratio(1)),
      row(w.epollHop, ratio(w.epollHop.p50Us / w.floor.p50Us)),
      ...(w.twoHops === undefined ? [] : [row(w.twoHops, ratio(w.twoHops.p50Us / w.floor.p50Us))]),
      ...(w.placement === undefined
        ? []
        : [w.placement.sameCpu, w.placement.acrossCpus, w.placement.runtimeOneCpu].map((x) =>
            row(x, ratio(x.p50Us / w.floor.p50Us)),
          )),
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
      ...(w.twoHops === undefined
        ? []
        : [
            `The same two hops in a row with no runtime (a relay thread in a bare Poll.poll): p50 ${num(w.twoHops.p50Us, 1)} µs; the runtime's path is ${ratio(w.runtime.p50Us / w.twoHops.p50Us)} of that.`,
          ]),
      ...(w.placement === undefined ? [] : [placementNote(w.placement)]),
      ...(w.oneThread === undefined
        ? []
        : [
            "Stage d's single-threaded runtime has no reactor thread: its executor waits in epoll_wait itself, so the eventfd wakes the thread that polls the task, one hop.",
          ]),
    ],
  };
}

/** What the held rows of section 5 say, in numbers. */
function placementNote(p: NonNullable<Results["wakeLatency"]["placement"]>): string {
  return (
    `Held to CPUs (sched_setaffinity): a wake that stays on one CPU takes ${num(p.sameCpu.p50Us, 1)} µs at p50, one that crosses to the other CPU ${num(p.acrossCpus.p50Us, 1)} µs (${ratio(p.acrossCpus.p50Us / p.sameCpu.p50Us)}); ` +
    `stage c's two hops with every thread on one CPU take ${num(p.runtimeOneCpu.p50Us, 1)} µs, ${ratio(p.runtimeOneCpu.p50Us / p.sameCpu.p50Us)} that one-CPU hop.`
  );
}

/** Section 6 as a table. */
export function hotPathTable(r: Pick<Results, "hotPaths">): Table {
  const { settings, rows } = r.hotPaths;
  return {
    title: `6. mio hot paths (${num(settings.ops, 0)} operations per round, median of ${settings.rounds} rounds (min–max))`,
    header: ["operation", "ns / op", "bytes / op (most in a round)", "GCs"],
    rows: rows.map((row) => [
      row.name,
      spreadText(row.nsPerOp, 1),
      num(row.maxBytesPerOp, 2),
      num(row.gcs, 0),
    ]),
    notes: [
      "In a child process of its own, after a warm-up; bytes/op = heap growth over a round with no GC in it: what the operation allocates.",
    ],
  };
}

/** Section 7, requests held at once, as a table. */
export function heldTable(r: Pick<Results, "delayserver">): Table {
  return {
    title:
      "7. delayserver: requests held at once (one connection each, lateness = answer − (write + delay), ms)",
    header: [
      "requests",
      "delay ms",
      "peak held",
      "ramp ms",
      "failed",
      "early",
      "late p50",
      "p99",
      "max",
      "server RSS MiB",
    ],
    rows: r.delayserver.held.map((row) => [
      num(row.n, 0),
      num(row.delayMs, 0),
      num(row.peakHeld, 0),
      num(row.rampMs, 0),
      num(row.failures, 0),
      num(row.early, 0),
      num(row.latenessP50Ms, 1),
      num(row.latenessP99Ms, 1),
      num(row.latenessMaxMs, 1),
      num(row.serverRssMiB, 0),
    ]),
    notes: [
      "The server in a child process of its own, the load from the bench over raw node:net sockets (at most 256 connects outstanding); an unreported batch first warms both.",
    ],
  };
}

/** Section 7, throughput against bare node:http, as a table. */
export function throughputTable(r: Pick<Results, "delayserver">): Table {
  const { settings, throughput, ratio: pairRatio } = r.delayserver;
  return {
    title: `7. delayserver throughput: ${settings.connections} keep-alive connections, ${settings.pairs} ABBA pairs of ${settings.windowMs} ms windows (median (min–max))`,
    header: ["server", "requests / s"],
    rows: throughput.map((row) => [
      row.server,
      withRange(row.medianPerSecond, row.rangePerSecond, 0),
    ]),
    notes: [
      `delayserver / bare within each pair: ${spreadText(pairRatio, 2)} (goal ≥ ${THROUGHPUT_GOAL.toFixed(2)}).`,
    ],
  };
}

/**
 * The goals of the issues, as a table: this run's verdict; beside it, from history.jsonl,
 * the verdicts of the last few full runs before it and each goal's record over every full
 * run, this one included, so a goal that holds only now and then shows.
 */
export function goalsTable(r: Results, earlier: readonly RunVerdicts[] = []): Table {
  const table: Table = {
    title: "Goals",
    header: ["goal", "measured", "met"],
    rows: r.goals.map((g) => [g.goal, g.value, verdictText(g.met)]),
  };
  if (earlier.length === 0) return table;
  const shown = earlier.slice(0, EARLIER_RUNS_SHOWN);
  const runs = shown
    .map((run) => `${run.commit ?? "no commit"} (${run.date.slice(0, 16).replace("T", " ")} UTC)`)
    .join(", ");
  const all = [verdictsOf(r), ...earlier];
  return {
    ...table,
    header: [...table.header, "earlier full runs", "met in full runs"],
    rows: r.goals.map((g, i) => [
      ...(table.rows[i] ?? []),
      verdictsFor(g.goal, shown).join(" · "),
      recordText(recordFor(g.goal, all)),
    ]),
    notes: [
      `earlier full runs, newest first: ${runs} (bench/results/history.jsonl; – : not checked then).`,
      `met in full runs: of all ${all.length} full runs, this one included, those that checked the goal; "in a row" counts back from this one.`,
    ],
  };
}

/** Checks the goals against the figures. */
export function checkGoals(r: Omit<Results, "goals">): Goal[] {
  const goals: Goal[] = [];
  const net = (n: number): CostRow | undefined =>
    r.clientCost.rows.find((x) => x.client === "net" && x.n === n);
  for (const row of r.clientCost.rows.filter((x) => x.client === "c")) {
    const base = net(row.n);
    goals.push({
      goal: `steady state: stage c CPU per request ≤ ${STAGE_C_GOAL} × node:net (N=${num(row.n, 0)})`,
      value:
        `${ratio(row.cpuRatio, STAGE_C_GOAL)} (${withRange(row.cpuPerRequestUs, row.cpuPerRequestRangeUs, 1)} µs vs ` +
        `${base === undefined ? "–" : withRange(base.cpuPerRequestUs, base.cpuPerRequestRangeUs, 1)} µs); user ${ratio(row.userRatio)}`,
      met: row.cpuRatio <= STAGE_C_GOAL,
    });
  }
  // Issue 13: stage d's single-threaded runtime, which has no reactor thread, as a client.
  for (const row of r.clientCost.rows.filter((x) => x.client === "d")) {
    goals.push({
      goal: `steady state: stage d (single-threaded) CPU per request ≤ ${FLOOR_GOAL} × node:net (N=${num(row.n, 0)})`,
      value: `${ratio(row.cpuRatio, FLOOR_GOAL)} (${withRange(row.cpuPerRequestUs, row.cpuPerRequestRangeUs, 1)} µs); user ${ratio(row.userRatio)}`,
      met: row.cpuRatio <= FLOOR_GOAL,
    });
  }
  for (const row of r.clientCost.rows.filter((x) => x.client === "mio")) {
    goals.push({
      goal: `no runtime (mio poll loop): CPU per request ≤ ${FLOOR_GOAL} × node:net (N=${num(row.n, 0)})`,
      value: `${ratio(row.cpuRatio, FLOOR_GOAL)} (${num(row.cpuPerRequestUs, 1)} µs)`,
      met: row.cpuRatio <= FLOOR_GOAL,
    });
  }
  // Stage c against its floor; stage d's single-threaded runtime, once it has a row
  // ("one-d", floor bare node), against its own.
  for (const [id, stage] of [
    ["one-c", "stage c"],
    ["one-d", "stage d"],
  ] as const) {
    const over = r.cold.rows.find((x) => x.id === id)?.overFloor;
    if (over === undefined || over === null) continue;
    const floor = FLOOR_LABELS[over.floor] ?? over.floor;
    for (const [what, s] of [
      ["CPU", over.cpuS],
      ["wall", over.wallS],
    ] as const) {
      goals.push({
        goal: `start-up: ${stage} one-request program ≤ +0.04 s ${what} over ${floor}`,
        value: `${signed(s.median)} s (${signed(s.min)}…${signed(s.max)})`,
        met: s.median <= 0.04,
      });
    }
  }
  const many = r.cold.manyRatio.cpu;
  goals.push({
    goal: `whole process: stage c ${num(r.cold.settings.n, 0)} × GET ${r.cold.settings.path} ≤ ${WHOLE_PROCESS_GOAL} × node:net CPU`,
    value: `${spreadText(many, digitsAgainst(many.median, WHOLE_PROCESS_GOAL))}×`,
    met: many.median <= WHOLE_PROCESS_GOAL,
  });
  for (const pattern of ["same", "staggered"] as const) {
    const c = r.polls.rows.filter((x) => x.stage === "c" && x.pattern === pattern);
    const values = c.map((x) => x.leafPollsPerRequest);
    const spreadOfN = Math.max(...values) - Math.min(...values);
    goals.push({
      goal: `stage c polls per request constant in N (${patternLabel(pattern, r.polls.settings)})`,
      value: c.map((x) => `N=${num(x.n, 0)}: ${num(x.leafPollsPerRequest, 2)}`).join(", "),
      met: values.length > 0 && spreadOfN <= 0.1,
    });
  }
  const overhead = (pair: "spawn" | "self-wake") =>
    r.overhead.rows.find((x) => x.pair === pair && x.side === "stage c");
  const spawnRow = overhead("spawn");
  if (spawnRow !== undefined) {
    goals.push({
      goal: "executor: spawning a task ≤ 1.0 × a Promise",
      value: `${ratio(spawnRow.ratioToNative)} (${num(spawnRow.nsPerItem, 0)} ns)`,
      met: spawnRow.ratioToNative <= 1,
    });
  }
  const wakeRow = overhead("self-wake");
  if (wakeRow !== undefined) {
    goals.push({
      goal: "executor: a wake from the task's own thread to its next poll ≤ 1.5 × `await null`",
      value: `${ratio(wakeRow.ratioToNative)} (${num(wakeRow.nsPerItem, 0)} ns)`,
      met: wakeRow.ratioToNative <= 1.5,
    });
  }
  const w = r.wakeLatency;
  if (w.oneThread !== undefined) {
    const oneThreadRatio = w.oneThread.p50Us / w.floor.p50Us;
    goals.push({
      goal: "wake latency p50 ≤ 2 × the Atomics floor: stage d, 1 thread (the executor waits in epoll_wait: one hop)",
      value: `${ratio(oneThreadRatio)} (${num(w.oneThread.p50Us, 1)} µs vs ${num(w.floor.p50Us, 1)} µs)`,
      met: oneThreadRatio <= 2,
    });
  }
  goals.push({
    goal: "wake latency p50 ≤ 2 × the Atomics floor",
    value:
      `${ratio(w.p50Ratio)} (${num(w.runtime.p50Us, 1)} µs vs ${num(w.floor.p50Us, 1)} µs)` +
      (w.placement === undefined
        ? ""
        : `; every thread held on one CPU: ${ratio(w.placement.runtimeOneCpu.p50Us / w.floor.p50Us)}`),
    met: w.p50Ratio <= 2,
  });
  const allocating = r.hotPaths.rows.filter((x) => x.maxBytesPerOp >= 0.1 || x.gcs > 0);
  goals.push({
    goal: "mio hot paths allocate nothing (< 0.1 byte per operation, no GC)",
    value:
      allocating.length === 0
        ? `${r.hotPaths.rows.length} of ${r.hotPaths.rows.length} clean`
        : allocating
            .map((x) => `${x.name}: ${num(x.maxBytesPerOp, 2)} B/op, ${x.gcs} GCs`)
            .join("; "),
    met: allocating.length === 0,
  });
  const biggest = r.delayserver.held.at(-1);
  if (biggest !== undefined) {
    goals.push({
      goal: `delayserver: ${num(biggest.n, 0)} held at once answered with p99 lateness ≤ 20 ms, none failed`,
      value: `p99 ${num(biggest.latenessP99Ms, 1)} ms, ${biggest.failures} failed`,
      met: biggest.latenessP99Ms <= 20 && biggest.failures === 0,
    });
  }
  goals.push({
    goal: `delayserver: GET /0/x throughput ≥ ${THROUGHPUT_GOAL.toFixed(2)} × bare node:http`,
    value: spreadText(
      r.delayserver.ratio,
      digitsAgainst(r.delayserver.ratio.median, THROUGHPUT_GOAL),
    ),
    met: r.delayserver.ratio.median >= THROUGHPUT_GOAL,
  });
  return goals;
}

/** The machine line printed above the tables. */
export function machineLine(
  r: Pick<Results, "machine" | "load" | "quick" | "fileLimit" | "loadAverageAtEnd">,
): string {
  const m = r.machine;
  const load = Object.entries(r.load)
    .map(([k, [a, b]]) => `${k} ${a.toFixed(1)}→${b.toFixed(1)}`)
    .join(", ");
  return (
    `${m.cpu}, ${m.cores} cores, ${Math.round(m.memoryBytes / 2 ** 30)} GiB, Node ${m.node}, ${m.platform}, ` +
    `${m.date}${r.quick ? " (--quick: small sizes, smoke run)" : ""}, commit ${m.commit ?? "unknown"}; open files ${r.fileLimit.soft}; ` +
    `load average ${m.loadAverageAtStart.toFixed(2)} at start, ${r.loadAverageAtEnd.toFixed(2)} at end (by section: ${load})`
  );
}
