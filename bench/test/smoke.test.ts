// Runs `pnpm bench --quick` as a reader would (no --out: it writes bench/results/quick/)
// and checks that every section is there with sane numbers and its spread, so the
// benchmarks never rot — and that the committed results are left exactly as they were.
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EARLIER_RUNS_SHOWN } from "../src/history.js";
import { allowedCpus } from "../src/libc.js";
import type { Results } from "../src/results.js";
import type { Spread } from "../src/stats.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
/** Runs the bench CLI with `args`, expecting it to fail: its exit code and stderr (undefined if it succeeded). */
const refusal = (
  args: readonly string[],
): Promise<{ code?: number; stderr?: string } | undefined> =>
  run(process.execPath, [cli, ...args], { timeout: 30_000 }).then(
    () => undefined,
    (error: { code?: number; stderr?: string }) => error,
  );
const committed = fileURLToPath(new URL("../results/", import.meta.url));
const quickOut = join(committed, "quick");
const readme = fileURLToPath(new URL("../README.md", import.meta.url));
/** What a quick run must never change: the committed results and the README's tables. */
const guarded = [
  join(committed, "latest.json"),
  join(committed, "latest.md"),
  join(committed, "chart.svg"),
  join(committed, "history.jsonl"),
  readme,
];
const scratch = mkdtempSync(join(tmpdir(), "ch08-bench-"));

interface Snapshot {
  readonly bytes: string;
  readonly mtimeMs: number;
}
const snapshot = (): Snapshot[] =>
  guarded.map((file) => ({
    bytes: readFileSync(file, "latin1"),
    mtimeMs: statSync(file).mtimeMs,
  }));

let before: Snapshot[];
let results: Results;
let stdout = "";

beforeAll(async () => {
  before = snapshot();
  const quick = await run(process.execPath, [cli, "--quick"], {
    timeout: 540_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  stdout = quick.stdout;
  results = JSON.parse(readFileSync(join(quickOut, "latest.json"), "utf8")) as Results;
}, 550_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const positive = (x: number | null | undefined): boolean =>
  typeof x === "number" && Number.isFinite(x) && x > 0;
const ordered = (s: Spread): boolean => s.min <= s.median && s.median <= s.max;

describe("pnpm bench --quick", () => {
  it("leaves the committed results and the README byte for byte and untouched", () => {
    const after = snapshot();
    guarded.forEach((file, i) => {
      expect(after[i]?.bytes === before[i]?.bytes, `${file} changed`).toBe(true);
      expect(after[i]?.mtimeMs, `${file} was rewritten`).toBe(before[i]?.mtimeMs);
    });
    expect(stdout).toContain(`wrote ${quickOut}/latest.json`);
  });

  it("writes the JSON, the markdown and the chart, naming commit, machine and load", () => {
    expect(results.schema).toBe(2);
    expect(results.quick).toBe(true);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(results.machine.commit).toMatch(/^[0-9a-f]{7,}/);
    expect(results.loadAverageAtEnd).toBeGreaterThanOrEqual(0);
    const md = readFileSync(join(quickOut, "latest.md"), "utf8");
    expect(md).toMatch(/\| stage c, 1 executor +\|/);
    expect(md).toContain(`commit ${results.machine.commit}`);
    expect(md).toMatch(/load average [\d.]+ at start, [\d.]+ at end/);
    const svg = readFileSync(join(quickOut, "chart.svg"), "utf8");
    expect(svg).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\n$/);
    expect(svg).toContain(`commit ${results.machine.commit}`);
    for (const title of [
      "1. Polls per request",
      "2. Client cost in steady state",
      "3. Cold, whole process",
      "4. Executor overhead",
      "5. Wake latency",
      "6. mio hot paths",
      "7. delayserver: requests held at once",
      "7. delayserver throughput",
      "Goals",
    ]) {
      expect(stdout).toContain(title);
    }
  });

  it("section 1 counts polls of every stage at every N and pattern; stage c's are 2 per request", () => {
    const { rows, settings } = results.polls;
    // Three stages, each N, two delay patterns (same, staggered).
    expect(rows).toHaveLength(settings.sizes.length * 3 * 2);
    for (const row of rows) expect(positive(row.leafPollsPerRequest)).toBe(true);
    // A task per request: one poll starts it, one reads the answer its wake announced.
    for (const row of rows.filter((r) => r.stage === "c")) {
      expect(row.leafPollsPerRequest).toBeGreaterThanOrEqual(2);
      expect(row.leafPollsPerRequest).toBeLessThan(2.5);
    }
  });

  it("section 2 measures every client over repetitions, with its range, the user/sys split and ratios", () => {
    const { rows, settings } = results.clientCost;
    expect(settings.repetitions).toBeGreaterThanOrEqual(3);
    expect(rows).toHaveLength(settings.sizes.length * settings.clients.length);
    expect(settings.clients).toContain("mio");
    for (const row of rows) {
      expect(row.runs).toHaveLength(settings.repetitions);
      expect(row.ok).toBe(row.n);
      expect(row.overBudget).toBe(false);
      expect(positive(row.wallMs) && positive(row.cpuPerRequestUs) && positive(row.maxRssMiB)).toBe(
        true,
      );
      const [lo, hi] = row.cpuPerRequestRangeUs;
      expect(lo <= row.cpuPerRequestUs && row.cpuPerRequestUs <= hi).toBe(true);
      expect(row.wallRangeMs[0] <= row.wallMs && row.wallMs <= row.wallRangeMs[1]).toBe(true);
      expect(positive(row.cpuRatio)).toBe(true);
      expect(row.userPerRequestUs).toBeGreaterThanOrEqual(0);
    }
    // The kernel splits CPU time between user and system by ticks: a quick batch of a few
    // milliseconds can show no user time at all (seen on a fast machine), so the split is
    // checked over the section as a whole.
    expect(rows.reduce((sum, row) => sum + row.userPerRequestUs, 0)).toBeGreaterThan(0);
    const net = rows.find((r) => r.client === "net");
    expect(net?.cpuRatio).toBe(1);
    // With no user time of its own (see above), node:net leaves the user ratios undefined.
    if ((net?.userPerRequestUs ?? 0) > 0) expect(net?.userRatio).toBe(1);
  });

  it("section 3 runs every program start to exit, paired with its floor, and the N-request ratio", () => {
    const { rows, settings, manyRatio } = results.cold;
    expect(settings.repetitions).toBeGreaterThanOrEqual(3);
    const ids = rows.map((r) => r.id);
    for (const id of [
      "node",
      "node-worker",
      "node-koffi",
      "one-a",
      "one-b",
      "one-c",
      "one-d",
      "one-d-file",
    ]) {
      expect(ids).toContain(id);
    }
    expect(ids).toContain("book-a");
    expect(ids).toContain("many-net");
    expect(ids).toContain("many-c");
    for (const row of rows) {
      expect(row.runs).toHaveLength(settings.repetitions);
      expect(positive(row.cpuS.median) && positive(row.wallS.median)).toBe(true);
      expect(ordered(row.cpuS) && ordered(row.wallS)).toBe(true);
      expect(positive(row.userS.median)).toBe(true);
      expect(row.systemS.min).toBeGreaterThanOrEqual(0);
    }
    // A whole Node process costs CPU in kernel mode too. The kernel splits a process's time
    // between user and system by ticks, so one short program can show 0 s of system time
    // (bare node did, on a fast machine): the split is checked over the whole section.
    expect(rows.reduce((sum, row) => sum + row.systemS.median, 0)).toBeGreaterThan(0);
    const floorOf = (id: string): string | undefined =>
      rows.find((r) => r.id === id)?.overFloor?.floor;
    expect(floorOf("one-c")).toBe("node-worker");
    expect(floorOf("one-b")).toBe("node-worker");
    expect(floorOf("one-a")).toBe("node");
    expect(floorOf("one-d")).toBe("node");
    expect(floorOf("one-d-file")).toBe("node");
    expect(floorOf("node")).toBeUndefined();
    // A program that imports a runtime and makes a request costs more than bare node.
    const overBare = rows.find((r) => r.id === "one-a")?.overFloor?.cpuS.median ?? 0;
    expect(overBare).toBeGreaterThan(0);
    expect(positive(manyRatio.cpu.median) && ordered(manyRatio.cpu)).toBe(true);
    expect(stdout).toContain("over bare node + one Worker");
    expect(stdout).toContain("the same program bundled into one file");
    // A machine that sets NODE_EXTRA_CA_CERTS gets one row that keeps it; the others run without.
    const certs = rows.find((r) => r.id === "node-ca-certs");
    if (process.env.NODE_EXTRA_CA_CERTS) {
      expect(certs?.overFloor?.floor).toBe("node");
      expect(stdout).toContain("This machine sets NODE_EXTRA_CA_CERTS");
    } else {
      expect(certs).toBeUndefined();
    }
  });

  it("section 4 times the executor against native Promises, with min and p99", () => {
    const rows = results.overhead.rows;
    expect(rows.map((r) => `${r.pair}/${r.side}`).sort()).toEqual([
      "self-wake/native",
      "self-wake/stage c",
      "spawn/native",
      "spawn/stage c",
    ]);
    for (const row of rows) {
      expect(positive(row.perSecond) && positive(row.ratioToNative)).toBe(true);
      expect(row.minMs <= row.p50Ms && row.p50Ms <= row.p99Ms).toBe(true);
    }
  });

  it("section 8 loads the servers with wrk, the C floor among them (or says why it could not)", () => {
    const section = results.server;
    expect(section).toBeDefined();
    if (section === undefined || section.skipped !== undefined) {
      expect(stdout).toMatch(/wrk is not installed/);
      return;
    }
    // The floor runs wherever a C compiler is; where none is, the section says so.
    const floor = section.floorSkipped === undefined ? ["floor", "floor2"] : [];
    expect(section.rows.map((r) => r.server)).toEqual(["node", "d1", "d2", ...floor]);
    if (section.floorSkipped !== undefined) expect(stdout).toContain("the C floor was not built");
    for (const row of section.rows) {
      expect(positive(row.throughput.requestsPerSec) && positive(row.held.requests)).toBe(true);
      // The wrk script's split: answers to requests sent after the first two rounds, ordered
      // figures, and none early (a sleep is never early; 0.1 ms is the histogram's step).
      const settled = row.held.settled;
      expect(settled?.answers).toBeGreaterThan(0);
      if (settled !== undefined) {
        expect(settled.answers).toBeLessThanOrEqual(row.held.requests);
        expect(settled.p50LatenessMs).toBeGreaterThanOrEqual(-0.1);
        expect(settled.p50LatenessMs <= settled.p99LatenessMs).toBe(true);
        expect(settled.p99LatenessMs <= settled.maxLatenessMs + 0.1).toBe(true);
      }
      // The paced run: every answer counted, ordered figures, none early, none failed.
      const paced = row.held.paced;
      expect(paced?.answers).toBeGreaterThan(0);
      if (paced !== undefined) {
        expect(paced.p50LatenessMs).toBeGreaterThanOrEqual(-0.1);
        expect(paced.p50LatenessMs <= paced.p99LatenessMs).toBe(true);
        expect(paced.p99LatenessMs <= paced.maxLatenessMs + 0.1).toBe(true);
        expect(paced.errors).toBe(0);
      }
      expect(row.throughput.errors + row.throughput.non2xx).toBe(0);
      // Every server had its turn in every round, and its ratio is the median of the rounds'.
      const rounds = row.rounds ?? [];
      expect(rounds).toHaveLength(section.settings.rounds ?? 1);
      const ratios = rounds.map((r) => r.ratio).sort((a, b) => a - b);
      expect(row.throughputRatio).toBeGreaterThanOrEqual(ratios[0] ?? Number.NaN);
      expect(row.throughputRatio).toBeLessThanOrEqual(ratios.at(-1) ?? Number.NaN);
      if (row.server === "node") expect(ratios.every((r) => r === 1)).toBe(true);
      // What bounds each run: both sides kept a core partly busy, and (where the kernel keeps
      // schedstat) the held run's first second has the server's threads' run and wait times.
      if (existsSync("/proc/self/schedstat")) {
        for (const round of rounds) {
          expect(positive(round.busy?.serverCores) && positive(round.busy?.wrkCores)).toBe(true);
          expect(round.busy?.serverWaitMsPerS).toBeGreaterThanOrEqual(0);
        }
        expect(positive(row.held.firstSecond?.runMs)).toBe(true);
        expect(row.held.firstSecond?.waitMs).toBeGreaterThanOrEqual(0);
      }
    }
    if (existsSync("/proc/self/schedstat")) {
      expect(section.cores).toBe(allowedCpus().length);
      expect(stdout).toMatch(/stage d, 1 thread: server \d\.\d\d \+ wrk \d\.\d\d of \d+ cores/);
      expect(stdout).toContain("the held run's first second");
    }
    expect(stdout).toContain("8. Servers under wrk");
    expect(stdout).toMatch(/ {2}round 2: node:http delayserver [\d,]+ req\/s/);
  });

  it("section 5 samples the runtimes' wake latency and the Atomics floor", () => {
    const w = results.wakeLatency;
    for (const row of [w.runtime, w.oneThread, w.floor, w.epollHop, w.twoHops]) {
      if (row === undefined) throw new Error("section 5 left out stage d or the bare two hops");
      expect(row.samples).toBe(w.settings.samples);
      expect(positive(row.p50Us) && row.p99Us >= row.p50Us).toBe(true);
    }
    expect(positive(w.pingPong.roundTripUs)).toBe(true);
    expect(positive(w.p50Ratio)).toBe(true);
  });

  it("section 5 holds the threads to CPUs for its placement rows, on a machine with two", () => {
    const { placement, settings } = results.wakeLatency;
    const cpus = allowedCpus();
    if (cpus.length < 2) {
      expect(placement).toBeUndefined();
      return;
    }
    if (placement === undefined) throw new Error("section 5 skipped its placement rows");
    expect(placement.cpus).toEqual(cpus.slice(0, 2));
    for (const row of [placement.sameCpu, placement.acrossCpus, placement.runtimeOneCpu]) {
      expect(row.samples).toBe(settings.samples);
      expect(positive(row.p50Us) && row.p99Us >= row.p50Us).toBe(true);
    }
    expect(placement.acrossCpus.name).toContain(`CPU ${placement.cpus[1]}`);
  });

  it("section 6 times mio's hot paths on both backends over rounds", () => {
    const { rows } = results.hotPaths;
    expect(rows).toHaveLength(8);
    for (const backend of ["epoll", "poll"]) {
      expect(rows.filter((r) => r.name.startsWith(`${backend}:`))).toHaveLength(4);
    }
    for (const row of rows) {
      expect(positive(row.nsPerOp.median) && ordered(row.nsPerOp)).toBe(true);
      expect(row.maxBytesPerOp).toBeGreaterThanOrEqual(0);
    }
  });

  it("section 7 holds every delayed request and answers none early, and compares throughput", () => {
    const { held, throughput, ratio, settings } = results.delayserver;
    expect(held).toHaveLength(settings.held.length);
    for (const row of held) {
      expect(row.failures).toBe(0);
      expect(row.early).toBe(0);
      expect(row.peakHeld).toBeGreaterThan(0);
      expect(row.latenessP50Ms <= row.latenessP99Ms && row.latenessP99Ms <= row.latenessMaxMs).toBe(
        true,
      );
    }
    expect(throughput).toHaveLength(2);
    for (const row of throughput) expect(positive(row.medianPerSecond)).toBe(true);
    expect(positive(ratio.median) && ordered(ratio)).toBe(true);
  });

  it("checks the issue's goals, start-up and whole process among them", () => {
    const goals = results.goals.map((g) => g.goal);
    expect(goals.some((g) => g.startsWith("start-up: stage c"))).toBe(true);
    expect(goals.some((g) => g.startsWith("whole process: stage c"))).toBe(true);
    expect(goals.some((g) => g.startsWith("steady state: stage c"))).toBe(true);
    // Issue 13's client goal: one verdict per N that stage d's client was measured at.
    const dRows = results.clientCost.rows.filter((row) => row.client === "d").length;
    expect(dRows).toBeGreaterThan(0);
    expect(goals.filter((g) => g.startsWith("steady state: stage d")).length).toBe(dRows);
    for (const goal of results.goals) expect(typeof goal.met).toBe("boolean");
  });
});

describe("--only", () => {
  it("runs just the sections named, prints their tables, and writes nothing", async () => {
    const written = [...guarded, join(quickOut, "latest.json")];
    const stamps = written.map((file) => statSync(file).mtimeMs);
    const { stdout } = await run(process.execPath, [cli, "--quick", "--only", "4,6"], {
      timeout: 120_000,
    });
    expect(stdout).toContain("4. Executor overhead without I/O");
    expect(stdout).toContain("6. mio hot paths");
    expect(stdout).not.toContain("5. Wake latency");
    expect(stdout).not.toContain("1. polls per request");
    expect(stdout).toContain("--only 4,6: nothing written");
    expect(written.map((file) => statSync(file).mtimeMs)).toEqual(stamps);
  });

  it("refuses a section that does not exist, and --out, before measuring anything", async () => {
    for (const args of [
      ["--only", "9"],
      ["--only", "4,x"],
      ["--only", "4", "--out", scratch],
    ]) {
      const refused = await refusal(args);
      expect(refused?.code, args.join(" ")).toBe(2);
      expect(refused?.stderr).toMatch(/--only (takes section numbers from 1 to 8|writes nothing)/);
    }
  });
});

describe("the committed results are written only by a full run", () => {
  it("refuses --quick into bench/results, before measuring anything, and leaves it untouched", async () => {
    const start = snapshot();
    const refused = await refusal(["--quick", "--out", committed]);
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toContain("never writes the committed results");
    expect(snapshot()).toEqual(start);
  });

  it("redraws a quick run's tables elsewhere with --render, and refuses another schema", async () => {
    const redrawn = join(scratch, "redrawn");
    const drawn = await run(
      process.execPath,
      [cli, "--render", join(quickOut, "latest.json"), "--out", redrawn],
      { timeout: 30_000 },
    );
    expect(drawn.stdout).toContain("3. Cold, whole process");
    expect(JSON.parse(readFileSync(join(redrawn, "latest.json"), "utf8"))).toEqual(results);

    const old = join(scratch, "old.json");
    writeFileSync(old, JSON.stringify({ schema: 1 }));
    const refused = await refusal(["--render", old, "--out", redrawn]);
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toContain("schema 1");
  });

  it("puts the earlier full runs' verdicts beside a full run's goals, and --render adds no line", async () => {
    const redrawn = join(scratch, "with-history");
    mkdirSync(redrawn, { recursive: true });
    const history = readFileSync(join(committed, "history.jsonl"), "utf8");
    writeFileSync(join(redrawn, "history.jsonl"), history);
    const latest = join(committed, "latest.json");
    await run(process.execPath, [cli, "--render", latest, "--out", redrawn], { timeout: 30_000 });
    const full = JSON.parse(readFileSync(latest, "utf8")) as Results;
    const earlier = history
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { date: string; commit: string })
      .filter((r) => r.date < full.machine.date)
      .sort((a, b) => (a.date < b.date ? 1 : -1));
    expect(earlier.length).toBeGreaterThan(0);
    const md = readFileSync(join(redrawn, "latest.md"), "utf8");
    expect(md).toContain("| earlier full runs");
    // The newest few are named under the table; older ones stay in the history file only.
    const shown = earlier.slice(0, EARLIER_RUNS_SHOWN);
    for (const r of shown) expect(md).toContain(r.commit);
    for (const r of earlier.slice(EARLIER_RUNS_SHOWN)) expect(md).not.toContain(r.commit);
    expect(readFileSync(join(redrawn, "history.jsonl"), "utf8")).toBe(history);

    writeFileSync(join(redrawn, "history.jsonl"), `${history}{not json\n`);
    const refused = await refusal(["--render", latest, "--out", redrawn]);
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toMatch(
      /history\.jsonl:\d+ is not a line of JSON .*: mend or delete that line/,
    );
  });
});
