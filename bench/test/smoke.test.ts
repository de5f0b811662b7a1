// Runs `pnpm bench --quick` into a temporary directory (never over the committed results)
// and checks that every section is there with sane numbers, so the benchmarks never rot.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Results } from "../src/results.js";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "ch08-bench-"));
let results: Results;
let stdout = "";

beforeAll(async () => {
  const run = await promisify(execFile)(process.execPath, [cli, "--quick", "--out", out], {
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  stdout = run.stdout;
  results = JSON.parse(readFileSync(join(out, "latest.json"), "utf8")) as Results;
}, 130_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

const positive = (x: number | null): boolean => x !== null && Number.isFinite(x) && x > 0;

describe("pnpm bench --quick", () => {
  it("writes the JSON, the markdown and the chart, and prints the tables", () => {
    expect(results.schema).toBe(1);
    expect(results.quick).toBe(true);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(readFileSync(join(out, "latest.md"), "utf8")).toMatch(/\| stage c, 1 executor +\|/);
    expect(readFileSync(join(out, "chart.svg"), "utf8")).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\n$/);
    for (const title of [
      "1. Polls per request",
      "2. Client cost",
      "3. Executor overhead",
      "4. Wake latency",
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

  it("section 2 measures every client, every response complete, with ratios to node:net", () => {
    const { rows, settings } = results.clientCost;
    expect(rows).toHaveLength(settings.sizes.length * settings.clients.length);
    for (const row of rows) {
      expect(row.ok).toBe(row.n);
      expect(row.overBudget).toBe(false);
      expect(positive(row.wallMs) && positive(row.cpuPerRequestUs) && positive(row.maxRssMiB)).toBe(
        true,
      );
      expect(positive(row.cpuRatio)).toBe(true);
    }
    expect(rows.find((r) => r.client === "net")?.cpuRatio).toBe(1);
  });

  it("section 3 times the executor against native Promises", () => {
    const rows = results.overhead.rows;
    expect(rows.map((r) => `${r.pair}/${r.side}`).sort()).toEqual([
      "self-wake/native",
      "self-wake/stage c",
      "spawn/native",
      "spawn/stage c",
    ]);
    for (const row of rows)
      expect(positive(row.perSecond) && positive(row.ratioToNative)).toBe(true);
  });

  it("section 5 loads the three servers with wrk (or says why it could not)", () => {
    const section = results.server;
    expect(section).toBeDefined();
    if (section === undefined || section.skipped !== undefined) {
      expect(stdout).toMatch(/wrk is not installed/);
      return;
    }
    expect(section.rows.map((r) => r.server)).toEqual(["node", "d1", "d2"]);
    for (const row of section.rows) {
      expect(positive(row.throughput.requestsPerSec) && positive(row.held.requests)).toBe(true);
      expect(row.throughput.errors + row.throughput.non2xx).toBe(0);
    }
    expect(stdout).toContain("5. Servers under wrk");
  });

  it("section 4 samples the runtime's wake latency and the Atomics floor", () => {
    const w = results.wakeLatency;
    for (const row of [w.runtime, w.floor, w.epollHop]) {
      expect(row.samples).toBe(w.settings.samples);
      expect(positive(row.p50Us) && row.p99Us >= row.p50Us).toBe(true);
    }
    expect(positive(w.pingPong.roundTripUs)).toBe(true);
    expect(positive(w.p50Ratio)).toBe(true);
  });

  it("checks the issue's three goals", () => {
    expect(results.goals.length).toBeGreaterThanOrEqual(3);
    for (const goal of results.goals) expect(typeof goal.met).toBe("boolean");
  });
});
