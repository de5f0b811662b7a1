// `pnpm bench` (node dist/cli.js [--quick] [--out DIR] …): every benchmark of the
// repository, in one run. Prints the tables with their spreads; a full run writes the
// committed bench/results/latest.json, latest.md and chart.svg (and the README's tables)
// and adds its goals' verdicts to history.jsonl;
// a --quick run writes bench/results/quick/ (untracked) and never the committed files.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseArgsErrorText } from "@ch08/delayserver/protocol";
import { capturePrintln } from "@ch08/http";
import { chartSvg } from "./chart.js";
import { CLIENT_KINDS } from "./client/protocol.js";
import { appendRun, type RunVerdicts, readHistory, runsBefore } from "./history.js";
import { describeMachine, loadAverage, somaxconn } from "./machine.js";
import { updateReadme } from "./readme.js";
import {
  checkGoals,
  coldTable,
  costTable,
  goalsTable,
  heldTable,
  hotPathTable,
  machineLine,
  overheadTable,
  pollsTable,
  throughputTable,
  wakeTable,
} from "./report.js";
import { RESULTS_SCHEMA, type Results } from "./results.js";
import { raiseFileLimit } from "./rlimit.js";
import { type CostSettings, clientCost } from "./sections/client-cost.js";
import { type ColdSettings, coldWholeProcess } from "./sections/cold.js";
import { type DelayserverSettings, delayserverBench } from "./sections/delayserver.js";
import { type HotPathSettings, mioHotPaths } from "./sections/hot-path.js";
import { executorOverhead, type OverheadSettings } from "./sections/overhead.js";
import { type PollsSettings, pollsPerRequest } from "./sections/polls.js";
import { type ServerSettings, serverBench, serverGoals, serverTable } from "./sections/server.js";
import { type WakeSettings, wakeLatency } from "./sections/wake-latency.js";
import { forkDelayServer } from "./server.js";
import { type Table, toMarkdown, toText } from "./table.js";

// Named as a reader runs it: pnpm bench from the root (which builds first), or node from
// bench/ once built.
const USAGE = `usage: pnpm bench [options]         from the repository root (it builds first)
       node dist/cli.js [options]   from bench/, after a build
options:
  --quick        every benchmark at small sizes (a minute or so): a smoke run, written to
                 bench/results/quick/ (untracked), never over the committed results
  --only N,…     run only these sections (1-8, e.g. --only 4,5), print their tables and
                 write nothing: to measure a change in seconds, not minutes
  --out DIR      where to write latest.json, latest.md and chart.svg
                 (default: bench/results, or bench/results/quick with --quick)
  --warmup N     section 2: unmeasured batches like the measured one (same paths, up to
                 2,000 requests) that a client runs before it (default 3, 1 with --quick):
                 by then V8 has compiled the batch's paths, so what is measured is steady
  --profile DIR  run section 2's clients under node --cpu-prof, profiles into DIR
  --render FILE  measure nothing: redraw the tables, latest.md, chart.svg (and the README,
                 for bench/results) from a latest.json written by an earlier run
  -h, --help     print this text`;

/** Where the committed results live: only a full run writes there. */
const committedDir = resolve(fileURLToPath(new URL("../results/", import.meta.url)));
const quickDir = resolve(committedDir, "quick");

/** A bad command line: what is wrong, then where the options are listed (not all of them). */
function usageError(message: string): never {
  console.error(`bench: ${message}\npnpm bench --help lists the options`);
  process.exit(2);
}

let values: ReturnType<typeof parse>["values"];
function parse() {
  // `pnpm bench -- --quick` passes its `--` on: skip it.
  const args = process.argv.slice(2);
  return parseArgs({
    args: args[0] === "--" ? args.slice(1) : args,
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string" },
      profile: { type: "string" },
      warmup: { type: "string" },
      render: { type: "string" },
      only: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
}
try {
  values = parse().values;
} catch (error) {
  usageError(parseArgsErrorText(error));
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (values.warmup !== undefined && !/^\d+$/.test(values.warmup)) {
  usageError(`--warmup wants a whole number of batches, got ${values.warmup}`);
}

/** A run's sections, in the order they run: section N is the Nth (its tables say so). */
const SECTION_KEYS = [
  "polls",
  "clientCost",
  "cold",
  "overhead",
  "wakeLatency",
  "hotPaths",
  "delayserver",
  "server",
] as const;
const SECTION_COUNT = SECTION_KEYS.length;

/** The sections --only names, or undefined without it (every section). */
function readOnly(list: string | undefined): ReadonlySet<number> | undefined {
  if (list === undefined) return undefined;
  const wanted = new Set<number>();
  for (const part of list.split(",")) {
    const n = Number(part.trim());
    if (!/^\s*[1-9]\s*$/.test(part) || n > SECTION_COUNT) {
      usageError(
        `--only takes section numbers from 1 to ${SECTION_COUNT}, comma-separated (e.g. --only 4,5); got ${JSON.stringify(list)}`,
      );
    }
    wanted.add(n);
  }
  if (values.render !== undefined || values.out !== undefined) {
    usageError("--only writes nothing: leave out --render and --out");
  }
  return wanted;
}
const only = readOnly(values.only);

/** Reads a latest.json for --render, refusing one this harness cannot draw. */
function readResults(file: string): Results {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    usageError(
      `--render ${file}: cannot read it as JSON (${error instanceof Error ? error.message : error})`,
    );
  }
  const schema = (parsed as { schema?: unknown } | null)?.schema;
  if (schema !== RESULTS_SCHEMA) {
    usageError(
      `--render ${file}: it has schema ${String(schema)}, this harness draws schema ${RESULTS_SCHEMA}; ` +
        "measure anew with pnpm bench (or --quick) to get one",
    );
  }
  return parsed as Results;
}

const rendered = values.render === undefined ? undefined : readResults(resolve(values.render));
const quick = rendered?.quick ?? values.quick === true;
const outDir = resolve(values.out ?? (quick ? quickDir : committedDir));
if (quick && outDir === committedDir) {
  usageError(
    `a --quick run never writes the committed results in ${committedDir}: leave out --out (it goes to ${quickDir}) or name another directory`,
  );
}
const profileDir = values.profile === undefined ? undefined : resolve(values.profile);

const pollsSettings: PollsSettings = quick
  ? { sizes: [10, 100], path: "/50/x", staggerMs: 1, repetitions: 1 }
  : { sizes: [10, 100, 1_000], path: "/200/x", staggerMs: 1, repetitions: 3 };
const costWanted = quick ? [200] : [2_000, 10_000];
const coldSettings: ColdSettings = quick
  ? { repetitions: 3, n: 200, path: "/100/x", bookPrograms: "short" }
  : { repetitions: 7, n: 2_000, path: "/300/x", bookPrograms: "all" };
const overheadSettings: OverheadSettings = quick
  ? { tasks: 10_000, wakes: 100_000, minSamples: 3, minCpuMs: 200 }
  : { tasks: 100_000, wakes: 1_000_000, minSamples: 10, minCpuMs: 3_000 };
const wakeSettings: WakeSettings = quick
  ? { samples: 300, gapMs: 0.5, minCpuMs: 100 }
  : { samples: 10_000, gapMs: 0.5, minCpuMs: 1_000 };
const hotPathSettings: HotPathSettings = quick
  ? { ops: 20_000, rounds: 3 }
  : { ops: 200_000, rounds: 5 };
const delayserverSettings: DelayserverSettings = quick
  ? {
      held: [
        { n: 200, delayMs: 1_000 },
        { n: 1_000, delayMs: 1_500 },
      ],
      warmHeld: 500,
      connections: 64,
      pairs: 4,
      windowMs: 250,
      warmupWindows: 3,
    }
  : {
      held: [
        { n: 1_000, delayMs: 2_000 },
        { n: 10_000, delayMs: 5_000 },
      ],
      warmHeld: 2_000,
      connections: 64,
      pairs: 20,
      windowMs: 500,
      warmupWindows: 6,
    };

const serverSettings: ServerSettings = quick
  ? {
      durationS: 1,
      rounds: 2,
      connections: 50,
      heldConnections: 500,
      heldPath: "/500/x",
      // Long enough for requests sent after the first two rounds (1 s) to be answered.
      heldDurationS: 2,
      idleS: 0.5,
      warmupS: 0,
      settleS: 0.5,
    }
  : {
      durationS: 3,
      rounds: 5,
      connections: 100,
      heldConnections: 10_000,
      heldPath: "/500/x",
      heldDurationS: 6,
      idleS: 3,
      warmupS: 1,
      settleS: 6,
    };

const log = (line: string): void => console.log(line);

/** What each section adds to a run's results. */
type SectionResults = Required<Pick<Results, (typeof SECTION_KEYS)[number]>>;
/** A run of some sections: `--only`'s, or every one. */
type Measured = Omit<Results, keyof SectionResults | "goals"> & Partial<SectionResults>;

/** Whether `m` has every section: a full run, ready for its goals. */
function isWholeRun(m: Measured): m is Omit<Results, "goals"> & SectionResults {
  return SECTION_KEYS.every((key) => m[key] !== undefined);
}

/** Runs the sections `wanted` says (every one by default) and returns their figures. */
async function measure(wanted: (section: number) => boolean = () => true): Promise<Measured> {
  const load: Record<string, [number, number]> = {};
  const seconds: Record<string, number> = {};
  // The stages print what the book prints on every poll; the bench measures the runtime.
  capturePrintln(() => {});
  const started = performance.now();
  const machine = describeMachine();
  const fileLimit = raiseFileLimit();
  // The client needs N sockets, and so does the delayserver (plus a few fds each for Node).
  const costSizes = costWanted.filter((n) => n + 1_000 <= fileLimit.soft);
  const skipped = costWanted
    .filter((n) => !costSizes.includes(n))
    .map(
      (n) =>
        `N=${n.toLocaleString("en-US")} skipped: it needs ${n + 1_000} open files and the hard limit is ${fileLimit.hard} (raise it with ulimit -Hn as root).`,
    );
  const costSettings: CostSettings = {
    sizes: costSizes,
    path: quick ? "/100/x" : "/300/x",
    repetitions: quick ? 3 : 5,
    warmupBatches: values.warmup === undefined ? (quick ? 1 : 3) : Number(values.warmup),
    budgetMs: quick ? 20_000 : 60_000,
    clients: CLIENT_KINDS,
  };

  async function section<T>(key: string, title: string, run: () => Promise<T>): Promise<T> {
    log(`\n${title}`);
    const before = loadAverage();
    const from = performance.now();
    const result = await run();
    load[key] = [before, loadAverage()];
    seconds[key] = Math.round((performance.now() - from) / 100) / 10;
    log(`  (${seconds[key]} s, load average ${before.toFixed(2)} → ${loadAverage().toFixed(2)})`);
    return result;
  }

  log(
    `ch08 bench${quick ? " --quick" : ""}: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ` +
      `commit ${machine.commit ?? "unknown"}, load average ${machine.loadAverageAtStart.toFixed(2)}`,
  );
  const measured: { -readonly [K in keyof SectionResults]?: SectionResults[K] } = {};
  let delayserverListeners: number | undefined;
  // Sections 1-3 share one delayserver in a child process; it runs only if one of them does.
  if (wanted(1) || wanted(2) || wanted(3)) {
    // The most connects a client makes at once: a batch of the largest N.
    const server = await forkDelayServer(
      Math.max(...pollsSettings.sizes, ...costWanted, coldSettings.n),
    );
    delayserverListeners = server.listeners;
    try {
      if (wanted(1)) {
        const rows = await section("polls", "1. polls per request", () =>
          pollsPerRequest(server.address, pollsSettings, log),
        );
        measured.polls = { settings: pollsSettings, rows };
      }
      if (wanted(2)) {
        const rows = await section("clientCost", "2. client cost, steady state", () =>
          clientCost(
            server.address,
            costSettings,
            log,
            profileDir === undefined ? {} : { profileDir },
          ),
        );
        measured.clientCost = { settings: costSettings, rows, skipped };
      }
      if (wanted(3)) {
        const cold = await section("cold", "3. cold, whole process", () =>
          coldWholeProcess(server.address, coldSettings, log),
        );
        measured.cold = { settings: coldSettings, ...cold };
      }
    } finally {
      await server.stop();
    }
  }
  if (wanted(4)) {
    const rows = await section("overhead", "4. executor overhead (mitata)", () =>
      executorOverhead(overheadSettings, log),
    );
    measured.overhead = { settings: overheadSettings, rows };
  }
  if (wanted(5)) {
    const wake = await section("wakeLatency", "5. wake latency", () =>
      wakeLatency(wakeSettings, log),
    );
    measured.wakeLatency = { settings: wakeSettings, ...wake };
  }
  if (wanted(6)) {
    const rows = await section("hotPaths", "6. mio hot paths", () =>
      mioHotPaths(hotPathSettings, log),
    );
    measured.hotPaths = { settings: hotPathSettings, rows };
  }
  if (wanted(7)) {
    const figures = await section("delayserver", "7. delayserver", () =>
      delayserverBench(delayserverSettings, log),
    );
    measured.delayserver = { settings: delayserverSettings, ...figures };
  }
  if (wanted(8)) {
    measured.server = await section("server", "8. servers under wrk", () =>
      serverBench(serverSettings, log),
    );
  }
  return {
    schema: RESULTS_SCHEMA,
    quick,
    machine,
    loadAverageAtEnd: loadAverage(),
    fileLimit,
    somaxconn: somaxconn(),
    ...(delayserverListeners === undefined ? {} : { delayserverListeners }),
    load,
    durationS: Math.round((performance.now() - started) / 100) / 10,
    sectionSeconds: seconds,
    ...measured,
  };
}

/** Every section's tables that `m` has, in section order. */
function sectionTables(m: Measured): Table[] {
  const tables: (Table | undefined)[] = [
    m.polls && pollsTable({ polls: m.polls }),
    m.clientCost &&
      costTable({
        clientCost: m.clientCost,
        somaxconn: m.somaxconn,
        ...(m.delayserverListeners === undefined
          ? {}
          : { delayserverListeners: m.delayserverListeners }),
      }),
    m.cold && coldTable({ cold: m.cold }),
    m.overhead && overheadTable({ overhead: m.overhead }),
    m.wakeLatency && wakeTable({ wakeLatency: m.wakeLatency }),
    m.hotPaths && hotPathTable({ hotPaths: m.hotPaths }),
    m.delayserver && heldTable({ delayserver: m.delayserver }),
    m.delayserver && throughputTable({ delayserver: m.delayserver }),
    m.server && serverTable(m.server),
  ];
  return tables.filter((t) => t !== undefined);
}

/** A full run: every section measured, and the goals checked against them. */
async function measureAll(): Promise<Results> {
  const m = await measure();
  if (!isWholeRun(m)) throw new Error("unreachable: a full run measured every section");
  return { ...m, goals: [...checkGoals(m), ...serverGoals(m.server)] };
}

// --only: the chosen sections' tables on the terminal, and nothing written.
if (only !== undefined) {
  const m = await measure((section) => only.has(section));
  log(`\n${machineLine(m)}\n`);
  log(sectionTables(m).map(toText).join("\n\n"));
  log(
    `\n--only ${[...only].sort((a, b) => a - b).join(",")}: nothing written (the committed results and their history come from full runs; goals are checked only there)`,
  );
  process.exit(0);
}

const results: Results = rendered ?? (await measureAll());
// Full runs only: a quick run's figures are not comparable with a full run's. A measured
// full run joins the history; a redrawn one is in it already.
const historyFile = resolve(outDir, "history.jsonl");
const joinsHistory = !results.quick && rendered === undefined;
let earlierRuns: RunVerdicts[] = [];
try {
  if (!results.quick) earlierRuns = runsBefore(readHistory(historyFile), results);
} catch (error) {
  // Said before anything is written: a run's results are never half written.
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const tables: Table[] = [...sectionTables(results), goalsTable(results, earlierRuns)];
log(`\n${machineLine(results)}\n`);
log(tables.map(toText).join("\n\n"));

mkdirSync(outDir, { recursive: true });
writeFileSync(resolve(outDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(
  resolve(outDir, "latest.md"),
  [
    "# Latest benchmark run",
    "",
    `${machineLine(results)}. Written by \`pnpm bench\` (bench/src/cli.ts); every figure is in latest.json.`,
    "",
    "![polls per request and CPU per request](chart.svg)",
    "",
    tables.map(toMarkdown).join("\n\n"),
    "",
  ].join("\n"),
);
writeFileSync(resolve(outDir, "chart.svg"), chartSvg(results));
if (joinsHistory) appendRun(historyFile, results);
// The README shows the latest full run: refresh it when the committed results are rewritten.
if (!results.quick && outDir === committedDir) {
  updateReadme(
    fileURLToPath(new URL("../README.md", import.meta.url)),
    [
      machineLine(results),
      "",
      "![polls per request and CPU per request](results/chart.svg)",
      "",
      tables.map(toMarkdown).join("\n\n"),
    ].join("\n"),
  );
}
const wrote = joinsHistory ? ", history.jsonl (one more line)" : "";
log(`\nwrote ${outDir}/latest.json, latest.md, chart.svg${wrote} in ${results.durationS} s`);
