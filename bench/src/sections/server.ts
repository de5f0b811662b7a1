// Section 8: the servers. Stage d's server on one thread and on two executor threads,
// the node:http delayserver, and the floor (the same work in C, on one thread and on two,
// built here with the system's C compiler), each in a process of its own, loaded by wrk
// (a C load generator from Debian's packages): throughput for /0/x with keep-alive, many
// connections held on /500/x, and CPU when idle. On two cores wrk's one thread can itself
// be the bound (its cores are measured beside each server): the floor shows when.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gatherOutput } from "../child-output.js";
import { allowedCpus } from "../libc.js";
import { childrenCpu } from "../rusage.js";
import { median, round, spread } from "../stats.js";
import { num, ratio, type Table } from "../table.js";

/** The servers compared, in the order they are run (the floor only where a C compiler is). */
export const SERVER_KINDS = ["node", "d1", "d2", "floor", "floor2"] as const;

/**
 * One of `SERVER_KINDS`: the node:http delayserver, stage d on one thread, on two
 * executor threads, and the floor: `native/floor-server.c`, on one thread and on two.
 */
export type ServerKind = (typeof SERVER_KINDS)[number];

const SERVER_LABELS: Readonly<Record<ServerKind, string>> = {
  node: "node:http delayserver",
  d1: "stage d, 1 thread",
  d2: "stage d, polling + 2 executors",
  floor: "floor: the same in C, 1 thread",
  floor2: "floor: the same in C, 2 threads",
};

/** The C floor's rows: built from one source, absent together where no C compiler is. */
const isFloor = (kind: ServerKind): boolean => kind === "floor" || kind === "floor2";

/** Section 8's settings. */
export interface ServerSettings {
  /** wrk's run length for each round of the throughput test, s. */
  readonly durationS: number;
  /** Rounds of the throughput test, every server once a round, the order rotated (absent: 1). */
  readonly rounds?: number;
  /** Keep-alive connections for the throughput test. */
  readonly connections: number;
  /** Connections held on `heldPath`. */
  readonly heldConnections: number;
  /** The held test's path (its delay is subtracted from latencies to give lateness). */
  readonly heldPath: string;
  /** wrk's run length for the held test, s. */
  readonly heldDurationS: number;
  /** How long the idle server's CPU is measured, s. */
  readonly idleS: number;
  /** wrk's warm-up run before the measured one, s (0: none). */
  readonly warmupS: number;
  /** How long to wait after the held run before measuring idle CPU, s: past the 5 s keep-alive, stale timers are done. */
  readonly settleS: number;
}

/** What wrk reported about one run. */
export interface WrkRun {
  readonly requests: number;
  readonly requestsPerSec: number;
  /** Connect, read, write errors and timeouts, summed. */
  readonly errors: number;
  readonly non2xx: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** One round of the /0/x keep-alive test, as one server did in it. */
export interface ThroughputRound {
  readonly requestsPerSec: number;
  /** Server CPU (every thread) per request, µs. */
  readonly cpuPerRequestUs: number;
  /** Requests/s ÷ the node:http delayserver's in the same round. */
  readonly ratio: number;
  /** wrk's errors and non-2xx answers. */
  readonly errors: number;
  /** Where the cores went (absent in results written before it was measured). */
  readonly busy?: Busy;
}

/**
 * What bounds a run on a machine shared with the load generator: the cores each side
 * kept busy, and how long the server's threads were ready to run but had no CPU.
 */
export interface Busy {
  /** Server CPU (every thread) ÷ the run's wall time. */
  readonly serverCores: number;
  /** wrk's CPU (both its threads, user + system) ÷ the run's wall time. */
  readonly wrkCores: number;
  /** Time the server's threads spent runnable but not running, per second of the run, ms (/proc schedstat). */
  readonly serverWaitMsPerS: number;
}

/**
 * Lateness stamped by the held run's wrk script (`scripts/held-lateness.lua`): each
 * request carries its send time, echoed back in the body.
 */
export interface StampedLateness {
  /** Answers counted. */
  readonly answers: number;
  readonly p50LatenessMs: number;
  readonly p99LatenessMs: number;
  readonly maxLatenessMs: number;
}

/** The held run: wrk's own latencies minus the asked delay, and the script's split. */
export interface HeldRun extends WrkRun {
  readonly p50LatenessMs: number;
  readonly p99LatenessMs: number;
  /**
   * Requests sent once the first two rounds were over (two delays after wrk's first
   * request): the held requests without the connection storm. From a second run of the
   * same load with the stamping script (absent in older results).
   */
  readonly settled?: StampedLateness;
  /**
   * A third run with each connection's first request held back by its share of one delay
   * (the k-th of n by k/n of it), so the answers fall due evenly instead of all at once:
   * every answer, and wrk's errors and non-2xx answers (absent in older results).
   */
  readonly paced?: StampedLateness & { readonly errors: number };
  /**
   * The server's threads in the run's first second, when every connection opens and the
   * first round is answered: CPU time they ran, and time they were runnable but had no
   * CPU (absent in older results, and where /proc has no schedstat).
   */
  readonly firstSecond?: { readonly runMs: number; readonly waitMs: number };
}

/** One server's figures. */
export interface ServerRow {
  readonly server: ServerKind;
  /** The /0/x keep-alive run: the round with the median requests/s. */
  readonly throughput: WrkRun;
  /** Server CPU (every thread) per request, µs: the median over the rounds. */
  readonly cpuPerRequestUs: number;
  /** Requests/s ÷ the node:http delayserver's: the median of the rounds' ratios. */
  readonly throughputRatio: number;
  /** Every round (absent in results written before there were rounds). */
  readonly rounds?: readonly ThroughputRound[];
  /** The held run: latencies minus the asked delay. */
  readonly held: HeldRun;
  /** CPU the server used per second while idle, ms. */
  readonly idleCpuMsPerS: number;
}

/** Section 8's outcome: rows, or why it was skipped. */
export interface ServerResults {
  readonly settings: ServerSettings;
  readonly rows: readonly ServerRow[];
  readonly skipped?: string;
  /** wrk's version line. */
  readonly wrk?: string;
  /** The CPUs this machine lets the bench and its children use (server and wrk share them). */
  readonly cores?: number;
  /** Why the C floor has no row (no C compiler, or it failed). */
  readonly floorSkipped?: string;
}

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The floor server's source, and where the bench builds it (dist: never committed). */
const FLOOR_SOURCE = `${ROOT}bench/native/floor-server.c`;
const FLOOR_BINARY = `${ROOT}bench/dist/native/floor-server`;
/** wrk's threads in the held runs (`-t2`): the paced run spreads each one's connections. */
const HELD_WRK_THREADS = 2;

/** The connections each wrk thread opens in a held run: the paced run spreads their first requests. */
function heldPerWrkThread(settings: ServerSettings): number {
  return Math.floor(settings.heldConnections / HELD_WRK_THREADS);
}

/** The held run's wrk script: it stamps each request, to split lateness by send time. */
const HELD_SCRIPT = `${ROOT}bench/scripts/held-lateness.lua`;

/** wrk's version, or undefined when it is not installed. */
function wrkVersion(): string | undefined {
  try {
    return execFileSync("wrk", ["-v"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
      .split("\n")[0]
      ?.trim();
  } catch (error) {
    // wrk -v exits 1 after printing its version: the output is still there.
    const out = (error as { stdout?: string }).stdout;
    return typeof out === "string" && out.startsWith("wrk")
      ? out.split("\n")[0]?.trim()
      : undefined;
  }
}

/**
 * Builds the floor server with the system's C compiler (`$CC`, else `cc`); the reason
 * instead when there is none or it fails, and the section runs without that row.
 */
function buildFloor(): { skipped?: string } {
  const compiler = process.env.CC ?? "cc";
  try {
    mkdirSync(`${ROOT}bench/dist/native`, { recursive: true });
    execFileSync(compiler, ["-O2", "-pthread", "-o", FLOOR_BINARY, FLOOR_SOURCE], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    return {};
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    return {
      skipped:
        `the C floor was not built (${compiler}: ${stderr === "" ? (error as Error).message : stderr}); ` +
        "install a C compiler (apt-get install -y gcc) to measure it",
    };
  }
}

/** Runs section 8, or skips it (with the reason) when wrk is missing. */
export async function serverBench(
  settings: ServerSettings,
  log: (line: string) => void,
): Promise<ServerResults> {
  const wrk = wrkVersion();
  if (wrk === undefined) {
    const skipped = "wrk is not installed (apt-get install -y wrk): the server section is skipped";
    log(`  ${skipped}`);
    return { settings, rows: [], skipped };
  }
  // Every server runs from the start: each throughput round gives each server one turn, in
  // an order rotated from round to round, so load that drifts hits all of them alike and a
  // ratio compares two turns of the same round. An idle server costs nothing (see idle CPU).
  const { skipped: floorSkipped } = buildFloor();
  if (floorSkipped !== undefined) log(`  ${floorSkipped}`);
  const kinds = SERVER_KINDS.filter((kind) => !isFloor(kind) || floorSkipped === undefined);
  const servers: StartedServer[] = [];
  try {
    for (const kind of kinds) servers.push(await startServer(kind));
    // A short warm-up: the JIT compiles the hot path before the measured runs.
    if (settings.warmupS > 0) {
      for (const server of servers) await wrkRun(server.port, "/0/warmup", 1, 10, settings.warmupS);
    }
    const turns = servers.map((): { run: WrkRun; cpuPerRequestUs: number; busy?: Busy }[] => []);
    const rounds = settings.rounds ?? 1;
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < servers.length; k++) {
        const i = (k + r) % servers.length;
        const server = servers[i];
        if (server === undefined) continue;
        const cpu0 = processCpuMs(server.pid);
        const sched0 = schedMs(server.pid);
        const wrk0 = childrenCpu();
        const started = performance.now();
        const run = await wrkRun(server.port, "/0/x", 1, settings.connections, settings.durationS);
        const wallMs = performance.now() - started;
        // Only wrk ended meanwhile (the servers run on), so the children's CPU grew by wrk's.
        const wrk1 = childrenCpu();
        const sched1 = schedMs(server.pid);
        const cpuMs = processCpuMs(server.pid) - cpu0;
        turns[i]?.push({
          run,
          cpuPerRequestUs: run.requests > 0 ? (cpuMs * 1000) / run.requests : 0,
          ...(sched0 === undefined || sched1 === undefined
            ? {}
            : {
                busy: {
                  serverCores: round(cpuMs / wallMs),
                  wrkCores: round(
                    (wrk1.userMs + wrk1.systemMs - wrk0.userMs - wrk0.systemMs) / wallMs,
                  ),
                  serverWaitMsPerS: round(((sched1.waitMs - sched0.waitMs) * 1000) / wallMs),
                },
              }),
        });
      }
      log(
        `  round ${r + 1}: ` +
          kinds
            .map(
              (kind, i) =>
                `${SERVER_LABELS[kind]} ${num(turns[i]?.[r]?.run.requestsPerSec ?? 0, 0)} req/s`,
            )
            .join(", "),
      );
    }
    const nodeTurns = turns[kinds.indexOf("node")] ?? [];
    const rows: ServerRow[] = [];
    for (const [i, kind] of kinds.entries()) {
      const server = servers[i];
      const own = turns[i] ?? [];
      if (server === undefined) continue;
      const roundsOf: ThroughputRound[] = own.map((turn, r) => {
        const node = nodeTurns[r]?.run.requestsPerSec ?? 0;
        return {
          requestsPerSec: turn.run.requestsPerSec,
          cpuPerRequestUs: round(turn.cpuPerRequestUs, 4),
          ratio: node > 0 ? round(turn.run.requestsPerSec / node, 4) : 0,
          errors: turn.run.errors + turn.run.non2xx,
          ...(turn.busy === undefined ? {} : { busy: turn.busy }),
        };
      });
      // The round with the median requests/s (the upper middle one for an even count).
      const byRate = [...own].sort((x, y) => x.run.requestsPerSec - y.run.requestsPerSec);
      const typical = byRate[byRate.length >> 1]?.run ?? emptyRun();
      const delay = Number(settings.heldPath.split("/")[1] ?? 0);
      const sched0 = schedMs(server.pid);
      let firstSecond: HeldRun["firstSecond"];
      // Every held run is the same wrk load; only its script and callback differ.
      const heldLoad = (options: WrkOptions) =>
        wrkRun(
          server.port,
          settings.heldPath,
          HELD_WRK_THREADS,
          settings.heldConnections,
          settings.heldDurationS,
          options,
        );
      // Between two held runs: the answers still owed to one run's connections go out
      // before the next run's connections open.
      const betweenHeldRuns = () => pause(2 * delay + 500);
      const heldRaw = await heldLoad({
        afterOneSecond: () => {
          const sched1 = schedMs(server.pid);
          if (sched0 === undefined || sched1 === undefined) return;
          firstSecond = {
            runMs: round(sched1.runMs - sched0.runMs),
            waitMs: round(sched1.waitMs - sched0.waitMs),
          };
        },
      });
      // The same load again with the stamping script, in a run of its own: the script
      // costs wrk CPU on every request, and wrk's own figure above stays comparable with
      // the runs before the script existed.
      await betweenHeldRuns();
      const { settled } = await heldLoad({ script: [HELD_SCRIPT, String(delay)] });
      // And paced (the goal's run): the same connections, their first requests spread over one delay.
      await betweenHeldRuns();
      const pacedRun = await heldLoad({
        script: [HELD_SCRIPT, String(delay), String(heldPerWrkThread(settings))],
      });
      const paced =
        pacedRun.all === undefined
          ? undefined
          : { ...pacedRun.all, errors: pacedRun.errors + pacedRun.non2xx };
      const held: HeldRun = {
        ...heldRaw,
        p50LatenessMs: heldRaw.p50Ms - delay,
        p99LatenessMs: heldRaw.p99Ms - delay,
        ...(settled === undefined ? {} : { settled }),
        ...(paced === undefined ? {} : { paced }),
        ...(firstSecond === undefined ? {} : { firstSecond }),
      };
      log(
        `  ${SERVER_LABELS[kind]}: ${settings.heldConnections} held on ${settings.heldPath}: ` +
          `p50 late ${num(held.p50LatenessMs, 1)} ms, p99 late ${num(held.p99LatenessMs, 1)} ms, ${held.errors} errors; ` +
          `from round 3 on: p99 late ${num(held.settled?.p99LatenessMs ?? Number.NaN, 1)} ms; ` +
          `paced: p99 late ${num(held.paced?.p99LatenessMs ?? Number.NaN, 1)} ms, ${held.paced?.errors ?? 0} errors`,
      );
      // Let the held connections' last answers and idle checks pass, then watch the server do nothing.
      await pause(settings.settleS * 1000);
      const idle0 = processCpuMs(server.pid);
      await pause(settings.idleS * 1000);
      rows.push({
        server: kind,
        throughput: typical,
        cpuPerRequestUs: round(median(roundsOf.map((r) => r.cpuPerRequestUs)), 4),
        throughputRatio: round(median(roundsOf.map((r) => r.ratio)), 4),
        rounds: roundsOf,
        held,
        idleCpuMsPerS: (processCpuMs(server.pid) - idle0) / settings.idleS,
      });
    }
    return {
      settings,
      rows,
      wrk,
      cores: allowedCpus().length,
      ...(floorSkipped === undefined ? {} : { floorSkipped }),
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** A wrk run that did not happen. */
function emptyRun(): WrkRun {
  return { requests: 0, requestsPerSec: 0, errors: 0, non2xx: 0, p50Ms: 0, p99Ms: 0 };
}

/** Section 8 as a table. */
export function serverTable(results: ServerResults): Table {
  const { settings, rows, skipped } = results;
  const perWrkThread = heldPerWrkThread(settings);
  return {
    title:
      `8. Servers under wrk: GET /0/x keep-alive at ${settings.connections} connections ` +
      ((settings.rounds ?? 1) > 1
        ? `in ${settings.rounds} rounds of ${settings.durationS} s (median (min–max) over the rounds); `
        : `for ${settings.durationS} s; `) +
      `${settings.heldConnections} connections on ${settings.heldPath}`,
    header: [
      "server",
      "req/s",
      "",
      "CPU µs / req",
      "errors",
      `held: req/s`,
      "p50 late ms",
      "p99 late ms",
      "p99 late ms, round 3 on",
      "held errors",
      "paced: p50 late ms",
      "p99 late ms",
      "errors",
      "idle CPU ms/s",
    ],
    rows: rows.map((row) => [
      SERVER_LABELS[row.server],
      overRounds(row, (r) => r.requestsPerSec, row.throughput.requestsPerSec, requestsText),
      overRounds(row, (r) => r.ratio, row.throughputRatio, ratio),
      num(row.cpuPerRequestUs, 1),
      num(
        row.rounds === undefined
          ? row.throughput.errors + row.throughput.non2xx
          : row.rounds.reduce((sum, r) => sum + r.errors, 0),
        0,
      ),
      num(row.held.requestsPerSec, 0),
      num(row.held.p50LatenessMs, 1),
      num(row.held.p99LatenessMs, 1),
      row.held.settled === undefined ? "–" : num(row.held.settled.p99LatenessMs, 1),
      num(row.held.errors + row.held.non2xx, 0),
      ...(row.held.paced === undefined
        ? ["–", "–", "–"]
        : [
            num(row.held.paced.p50LatenessMs, 1),
            num(row.held.paced.p99LatenessMs, 1),
            num(row.held.paced.errors, 0),
          ]),
      num(row.idleCpuMsPerS, 1),
    ]),
    notes: [
      ...(skipped === undefined ? [] : [skipped]),
      ...(results.wrk === undefined ? [] : [`load generator: ${results.wrk}, on the same 2 cores`]),
      ...(results.floorSkipped === undefined ? [] : [results.floorSkipped]),
      ...(rows.some((row) => row.server === "floor")
        ? [
            "floor: bench/native/floor-server.c, the delayserver's work in C with nothing between it and the kernel " +
              "(one thread, epoll, a heap of deadlines fired 64 at a time, stage d's headers): what this machine and wrk leave a server of stage d's design",
          ]
        : []),
      ...(rows.some((row) => row.server === "floor2")
        ? [
            "floor, 2 threads: the same loop on two threads, each with a listener of its own on the port (SO_REUSEPORT) and nothing shared, " +
              "no hand-over and no wake between threads: what this machine and wrk leave any server of two threads",
          ]
        : []),
      "lateness: wrk's latency minus the delay asked for; a closed loop, so each connection asks again at once",
      "round 3 on: a second held run with each request stamped with its send time " +
        "(scripts/held-lateness.lua), counting those sent from two delays after wrk's first one: " +
        "the held requests without the first two rounds, when every connection opens at once " +
        "and the server must accept and read them all",
      `paced: a third held run in which each connection's first request waits its share of one delay ` +
        `(the k-th of the ${num(perWrkThread, 0)} a wrk thread opens waits k/${num(perWrkThread, 0)} of it), so the answers fall due evenly ` +
        `and ${num(settings.heldConnections, 0)} stay held, as in the runs before, without every answer falling due in the same few milliseconds`,
      ...boundNotes(results),
    ],
  };
}

/**
 * What bounds each server here: the cores it and wrk kept busy in the throughput rounds,
 * and in the held run's first second how long its threads ran and how long they were
 * ready to run with no CPU free (/proc schedstat). Nothing for results that lack them.
 */
function boundNotes(results: ServerResults): string[] {
  const { rows, cores } = results;
  const throughput = rows.flatMap((row) => {
    const text = busyText(row, cores);
    return text === undefined ? [] : [`${SERVER_LABELS[row.server]}: ${text}`];
  });
  const held = rows.flatMap((row) => {
    const first = row.held.firstSecond;
    return first === undefined
      ? []
      : [
          `${SERVER_LABELS[row.server]} ran ${num(first.runMs, 0)} ms and waited ${num(first.waitMs, 0)} ms for a CPU`,
        ];
  });
  return [
    ...(throughput.length === 0
      ? []
      : [
          `cores busy in the /0/x rounds (median over the rounds), and how long the server's threads were ready to run with no CPU free: ${throughput.join("; ")}`,
        ]),
    ...(held.length === 0
      ? []
      : [
          `the held run's first second (every connection opens, the first round is answered): ${held.join("; ")}`,
        ]),
  ];
}

/**
 * The held goal: p99 lateness ≤ 20 ms and no errors. Read on the paced run, where the
 * answers fall due evenly; with every answer due at once, the C floor itself is 40–130 ms
 * late at p99 here, so that figure, shown beside, measures the storm and not the server.
 * Results from before the paced run are read on the storm, as they were.
 */
function heldGoal(
  r: ServerRow,
  connections: number,
  floor: ServerRow | undefined,
): { goal: string; value: string; met: boolean } {
  const { held } = r;
  const stormErrors = held.errors + held.non2xx;
  const storm =
    `all at once: p99 ${num(held.p99LatenessMs, 1)} ms` +
    (held.settled === undefined
      ? ""
      : ` (from round 3 on: ${num(held.settled.p99LatenessMs, 1)} ms)`) +
    `, ${stormErrors} errors` +
    (held.firstSecond === undefined
      ? ""
      : `; first second: waited ${num(held.firstSecond.waitMs, 0)} ms for a CPU`);
  if (held.paced === undefined) {
    return {
      goal: `${SERVER_LABELS[r.server]}: ${connections} held, p99 lateness ≤ 20 ms, no errors`,
      value:
        `${storm}` +
        (floor === undefined ? "" : `; the C floor p99 ${num(floor.held.p99LatenessMs, 1)} ms`),
      met: held.p99LatenessMs <= 20 && stormErrors === 0,
    };
  }
  const floorPaced = floor?.held.paced;
  return {
    goal: `${SERVER_LABELS[r.server]}: ${connections} held, answers due evenly, p99 lateness ≤ 20 ms, no errors`,
    value:
      `p99 ${num(held.paced.p99LatenessMs, 1)} ms, ${held.paced.errors} errors; ${storm}` +
      (floor === undefined
        ? ""
        : `; the C floor p99 ${floorPaced === undefined ? "–" : num(floorPaced.p99LatenessMs, 1)} ms paced, ` +
          `${num(floor.held.p99LatenessMs, 1)} ms all at once`),
    met: held.paced.p99LatenessMs <= 20 && held.paced.errors === 0 && stormErrors === 0,
  };
}

/** "server 1.15 + wrk 0.84 of 2 cores, waited 40 ms/s", medians over the rounds; undefined without figures. */
function busyText(row: ServerRow, cores: number | undefined): string | undefined {
  const busy = (row.rounds ?? []).flatMap((r) => (r.busy === undefined ? [] : [r.busy]));
  if (busy.length === 0) return undefined;
  const server = median(busy.map((b) => b.serverCores));
  const wrk = median(busy.map((b) => b.wrkCores));
  const wait = median(busy.map((b) => b.serverWaitMsPerS));
  return (
    `server ${server.toFixed(2)} + wrk ${wrk.toFixed(2)}${cores === undefined ? "" : ` of ${cores}`} cores, ` +
    `waited ${num(wait, 0)} ms/s`
  );
}

/** A figure as "median (min–max)" over a row's rounds; the single value for older results. */
function overRounds(
  row: ServerRow,
  figure: (r: ThroughputRound) => number,
  single: number,
  format: (x: number) => string,
): string {
  if (row.rounds === undefined || row.rounds.length < 2) return format(single);
  const s = spread(row.rounds.map(figure));
  if (s.min === s.max) return format(s.median);
  return `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

const requestsText = (x: number): string => num(x, 0);

/** The issue's goals for section 8. */
export function serverGoals(
  results: ServerResults,
): { goal: string; value: string; met: boolean }[] {
  const goals: { goal: string; value: string; met: boolean }[] = [];
  const row = (kind: ServerKind) => results.rows.find((r) => r.server === kind);
  const d1 = row("d1");
  const d2 = row("d2");
  // The floor's figure beside each goal: whether a miss is the runtime's or the machine's.
  const floor = row("floor");
  const floor2 = row("floor2");
  // The throughput goals: one thread ≥ 2.0× node:http, two executor threads ≥ 2.5×.
  for (const [r, bound, label, ceiling] of [
    [d1, 2.0, "1 thread", floor],
    [d2, 2.5, "2 executor threads", floor2 ?? floor],
  ] as const) {
    if (r === undefined) continue;
    const rounds = overRounds(
      r,
      (x) => x.ratio,
      r.throughputRatio,
      (x) => ratio(x, bound),
    );
    goals.push({
      goal: `stage d server, ${label}: ≥ ${bound.toFixed(1)} × node:http's req/s`,
      value:
        `${rounds}; ${num(r.throughput.requestsPerSec, 0)} req/s${withBusy(r, results.cores)}` +
        (ceiling === undefined
          ? ""
          : `; the C floor${ceiling.server === "floor2" ? " on 2 threads" : ""} ${ratio(ceiling.throughputRatio)}`),
      met: r.throughputRatio >= bound,
    });
  }
  for (const r of [d1, d2]) {
    if (r === undefined) continue;
    goals.push(heldGoal(r, results.settings.heldConnections, floor));
    goals.push({
      goal: `${SERVER_LABELS[r.server]}: CPU ≈ 0 when idle (≤ 1 ms/s)`,
      value: `${num(r.idleCpuMsPerS, 2)} ms/s`,
      met: r.idleCpuMsPerS <= 1,
    });
  }
  return goals;
}

/** "; server 1.15 + wrk 0.84 of 2 cores, waited 40 ms/s" for a goal's value, or nothing. */
function withBusy(row: ServerRow, cores: number | undefined): string {
  const text = busyText(row, cores);
  return text === undefined ? "" : `; ${text}`;
}

interface StartedServer {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts one server in a child process and waits (10 s at most) for its banner. */
function startServer(kind: ServerKind): Promise<StartedServer> {
  const script =
    kind === "node"
      ? `${ROOT}delayserver/dist/cli.js`
      : `${ROOT}d-thread-poll-server/dist/serve.js`;
  const [command, args] = isFloor(kind)
    ? [FLOOR_BINARY, ["--port", "0", ...(kind === "floor2" ? ["--threads", "2"] : [])]]
    : [
        process.execPath,
        [script, "--port", "0", "--quiet", ...(kind === "d2" ? ["--threads", "2"] : [])],
      ];
  const child: ChildProcess = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${SERVER_LABELS[kind]} did not print its banner within 10 s:\n${out}`));
    }, 10_000);
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m === null || child.pid === undefined) return;
      clearTimeout(timer);
      child.stdout?.removeAllListeners("data");
      child.stdout?.resume();
      const pid = child.pid;
      resolve({
        port: Number(m[1]),
        pid,
        stop: async () => {
          child.kill("SIGINT");
          const late = setTimeout(() => child.kill("SIGKILL"), 15_000);
          await exited;
          clearTimeout(late);
        },
      });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${SERVER_LABELS[kind]} exited before listening (code ${code}):\n${out}`));
    });
  });
}

/** User + system CPU of process `pid` and all its threads so far, ms (/proc ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** What `wrkRun` may do besides running wrk. */
interface WrkOptions {
  /** The held-lateness script and its arguments ([file, ...args]): its lines are parsed too. */
  readonly script?: readonly [string, ...string[]];
  /** Called once, one second after wrk started (not at all if it ends sooner). */
  readonly afterOneSecond?: () => void;
}

/** Runs wrk to completion and parses its report; rejects with wrk's stderr if it fails. */
async function wrkRun(
  port: number,
  path: string,
  threads: number,
  connections: number,
  durationS: number,
  options: WrkOptions = {},
): Promise<WrkRun & { readonly all?: StampedLateness; readonly settled?: StampedLateness }> {
  const { script } = options;
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      "wrk",
      [
        `-t${threads}`,
        `-c${connections}`,
        `-d${durationS}s`,
        "--timeout",
        "10s",
        "--latency",
        ...(script === undefined ? [] : ["-s", script[0]]),
        `http://127.0.0.1:${port}${path}`,
        ...(script === undefined ? [] : ["--", ...script.slice(1)]),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const output = gatherOutput(child);
    const second =
      options.afterOneSecond === undefined ? undefined : setTimeout(options.afterOneSecond, 1000);
    const late = setTimeout(() => child.kill("SIGKILL"), (durationS + 30) * 1000);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(second);
      clearTimeout(late);
      if (code === 0) resolve(output.stdout);
      else
        reject(
          new Error(`wrk ${path} failed (${signal ?? `exit ${code}`}): ${output.stderr.trim()}`),
        );
    });
  });
  const number = (re: RegExp): number => Number(re.exec(out)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    out,
  );
  const errors =
    socketErrors === null ? 0 : socketErrors.slice(1).reduce((s, x) => s + Number(x), 0);
  const all = stampedLateness(out, "all");
  const settled = stampedLateness(out, "settled");
  return {
    requests: number(/(\d+) requests in/),
    requestsPerSec: number(/Requests\/sec:\s+([\d.]+)/),
    errors,
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
    p50Ms: latencyMs(out, "50"),
    p99Ms: latencyMs(out, "99"),
    ...(all === undefined ? {} : { all }),
    ...(settled === undefined ? {} : { settled }),
  };
}

/**
 * CPU time every thread of `pid` has run, and time they were runnable but waiting for a
 * CPU, ms, summed from /proc's schedstat; undefined where the kernel keeps none.
 */
function schedMs(pid: number): { runMs: number; waitMs: number } | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let runNs = 0;
  let waitNs = 0;
  for (const tid of tids) {
    let fields: string[];
    try {
      fields = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ");
    } catch {
      // No schedstat in this kernel, or the thread ended since the listing.
      continue;
    }
    runNs += Number(fields[0]);
    waitNs += Number(fields[1]);
  }
  return runNs === 0 ? undefined : { runMs: runNs / 1e6, waitMs: waitNs / 1e6 };
}

/** The held-lateness script's line for every answer or the settled ones, if the run had the script. */
function stampedLateness(out: string, part: "all" | "settled"): StampedLateness | undefined {
  const m = new RegExp(
    `held lateness ${part}: (\\d+) answers, p50 ([\\d.-]+) ms, p99 ([\\d.-]+) ms, max ([\\d.-]+) ms`,
  ).exec(out);
  if (m === null) return undefined;
  return {
    answers: Number(m[1]),
    p50LatenessMs: Number(m[2]),
    p99LatenessMs: Number(m[3]),
    maxLatenessMs: Number(m[4]),
  };
}

/** A percentile from wrk's latency distribution, in ms. */
function latencyMs(out: string, percentile: string): number {
  const m = new RegExp(`^\\s+${percentile}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(out);
  if (m === null) return Number.NaN;
  const value = Number(m[1]);
  return m[2] === "us" ? value / 1000 : m[2] === "s" ? value * 1000 : value;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
