// `pnpm bench` (node dist/cli.js [--quick] [--out DIR] [--profile DIR]): the four
// benchmarks of issue 7. Prints the tables, writes latest.json, latest.md and chart.svg.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { capturePrintln } from "@ch08/http";
import { chartSvg } from "./chart.js";
import { CLIENT_KINDS } from "./client/protocol.js";
import { describeMachine, loadAverage, somaxconn } from "./machine.js";
import { updateReadme } from "./readme.js";
import {
  checkGoals,
  costTable,
  goalsTable,
  machineLine,
  overheadTable,
  pollsTable,
  wakeTable,
} from "./report.js";
import type { Results } from "./results.js";
import { raiseFileLimit } from "./rlimit.js";
import { type CostSettings, clientCost } from "./sections/client-cost.js";
import { executorOverhead, type OverheadSettings } from "./sections/overhead.js";
import { type PollsSettings, pollsPerRequest } from "./sections/polls.js";
import { type ServerSettings, serverBench, serverGoals, serverTable } from "./sections/server.js";
import { type WakeSettings, wakeLatency } from "./sections/wake-latency.js";
import { forkDelayServer } from "./server.js";
import { type Table, toMarkdown, toText } from "./table.js";

const USAGE = `usage: node dist/cli.js [--quick] [--out DIR] [--warmup N] [--profile DIR] [--render FILE]
  --quick        every benchmark at small sizes (well under a minute): a smoke run
  --out DIR      where to write latest.json, latest.md and chart.svg (default: bench/results)
  --warmup N     section 2: requests each client makes before its measured batch
                 (default 2000, 200 with --quick: the JIT has compiled the hot paths)
  --profile DIR  run section 2's clients under node --cpu-prof, profiles into DIR
  --render FILE  measure nothing: redraw the tables, latest.md, chart.svg (and the README,
                 for bench/results) from a latest.json written by an earlier run`;

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    profile: { type: "string" },
    warmup: { type: "string" },
    render: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const quick = values.quick === true;
const outDir = resolve(values.out ?? fileURLToPath(new URL("../results/", import.meta.url)));
const profileDir = values.profile === undefined ? undefined : resolve(values.profile);
if (values.warmup !== undefined && !/^\d+$/.test(values.warmup)) {
  console.error(`--warmup wants a whole number of requests, got ${values.warmup}\n${USAGE}`);
  process.exit(2);
}

const pollsSettings: PollsSettings = quick
  ? { sizes: [10, 100], path: "/50/x", staggerMs: 1, repetitions: 1 }
  : { sizes: [10, 100, 1_000], path: "/200/x", staggerMs: 1, repetitions: 3 };
const costWanted = quick ? [200] : [2_000, 10_000];
const overheadSettings: OverheadSettings = quick
  ? { tasks: 10_000, wakes: 100_000, minSamples: 3, minCpuMs: 200 }
  : { tasks: 100_000, wakes: 1_000_000, minSamples: 10, minCpuMs: 3_000 };
const wakeSettings: WakeSettings = quick
  ? { samples: 300, gapMs: 0.5, minCpuMs: 100 }
  : { samples: 10_000, gapMs: 0.5, minCpuMs: 1_000 };

const serverSettings: ServerSettings = quick
  ? {
      durationS: 1,
      connections: 50,
      heldConnections: 500,
      heldPath: "/500/x",
      heldDurationS: 1,
      idleS: 0.5,
      warmupS: 0,
      settleS: 0.5,
    }
  : {
      durationS: 4,
      connections: 100,
      heldConnections: 10_000,
      heldPath: "/500/x",
      heldDurationS: 6,
      idleS: 3,
      warmupS: 1,
      settleS: 6,
    };

const log = (line: string): void => console.log(line);

/** Runs the five sections and returns every figure. */
async function measureAll(): Promise<Results> {
  const load: Record<string, [number, number]> = {};
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
    repetitions: quick ? 1 : 3,
    warmup: values.warmup === undefined ? (quick ? 200 : 2_000) : Number(values.warmup),
    budgetMs: quick ? 20_000 : 60_000,
    clients: CLIENT_KINDS,
  };

  async function section<T>(key: string, title: string, run: () => Promise<T>): Promise<T> {
    log(`\n${title}`);
    const before = loadAverage();
    const result = await run();
    load[key] = [before, loadAverage()];
    return result;
  }

  log(
    `ch08 bench${quick ? " --quick" : ""}: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`,
  );
  const server = await forkDelayServer();
  let polls: Results["polls"]["rows"];
  let cost: Results["clientCost"]["rows"];
  try {
    polls = await section("polls", "1. polls per request", () =>
      pollsPerRequest(server.address, pollsSettings, log),
    );
    cost = await section("clientCost", "2. client cost", () =>
      clientCost(server.address, costSettings, log, profileDir === undefined ? {} : { profileDir }),
    );
  } finally {
    await server.stop();
  }
  const overhead = await section("overhead", "3. executor overhead (mitata)", () =>
    executorOverhead(overheadSettings, log),
  );
  const wake = await section("wakeLatency", "4. wake latency", () =>
    wakeLatency(wakeSettings, log),
  );
  const servers = await section("server", "5. servers under wrk", () =>
    serverBench(serverSettings, log),
  );

  const partial: Omit<Results, "goals"> = {
    schema: 1,
    quick,
    machine,
    fileLimit,
    somaxconn: somaxconn(),
    load,
    durationS: Math.round((performance.now() - started) / 100) / 10,
    polls: { settings: pollsSettings, rows: polls },
    clientCost: { settings: costSettings, rows: cost, skipped },
    overhead: { settings: overheadSettings, rows: overhead },
    wakeLatency: { settings: wakeSettings, ...wake },
    server: servers,
  };
  return { ...partial, goals: [...checkGoals(partial), ...serverGoals(servers)] };
}

const results: Results =
  values.render === undefined
    ? await measureAll()
    : (JSON.parse(readFileSync(resolve(values.render), "utf8")) as Results);

const tables: Table[] = [
  pollsTable(results),
  costTable(results),
  overheadTable(results),
  wakeTable(results),
  ...(results.server === undefined ? [] : [serverTable(results.server)]),
  goalsTable(results),
];
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
// The README shows the latest full run: refresh it when the committed results are rewritten.
const readme = fileURLToPath(new URL("../README.md", import.meta.url));
if (!results.quick && outDir === resolve(fileURLToPath(new URL("../results/", import.meta.url)))) {
  updateReadme(
    readme,
    [
      machineLine(results),
      "",
      "![polls per request and CPU per request](results/chart.svg)",
      "",
      tables.map(toMarkdown).join("\n\n"),
    ].join("\n"),
  );
}
log(`\nwrote ${outDir}/latest.json, latest.md, chart.svg in ${results.durationS} s`);
