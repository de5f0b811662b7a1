import { execFile } from "node:child_process";
import type { DelayServer } from "@ch08/delayserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "./helpers/server.js";

/** What an example run printed, how it ended, and what it cost. */
interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  cpuMs: number;
}

/** Runs `node dist/<script>` against `server`, as a reader would, with its CPU time reported. */
function runExample(script: string, server: DelayServer): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        "--import",
        new URL("./helpers/report-cpu.mjs", import.meta.url).href,
        new URL(`../dist/${script}`, import.meta.url).pathname,
      ],
      { timeout: 20_000, env: { ...process.env, DELAYSERVER: server.address } },
      (error, stdout, stderr) => {
        const wallMs = performance.now() - started;
        const cpu = /cpu-ms (\d+)\s*$/.exec(stderr);
        resolve({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : null,
          stdout,
          stderr: stderr.replace(/\s*cpu-ms \d+\s*$/, ""),
          wallMs,
          cpuMs: cpu ? Number(cpu[1]) : Number.NaN,
        });
      },
    );
  });
}

/** The lines printed, without the `\r` of the HTTP responses' header lines. */
function lines(text: string): string[] {
  return text.split("\n").map((l) => l.replace(/\r$/, ""));
}

let server: DelayServer;
let single: Promise<Run>;
let multi: Promise<Run>;

beforeAll(async () => {
  server = await startServer();
  // Both run at once (each takes the book's 4 s); each test awaits its own.
  single = runExample("main.js", server);
  multi = runExample("threads.js", server);
});

afterAll(async () => {
  await Promise.allSettled([single, multi]);
  await server?.close();
});

describe("the book's examples, run as programs", () => {
  it("main.js: five requests on one executor, printed in delay order, in about the longest delay", async () => {
    const run = await single;
    console.log(
      `node dist/main.js: wall ${Math.round(run.wallMs)} ms, CPU ${run.cpuMs} ms, exit ${run.code}`,
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = lines(run.stdout);
    expect(out[0]).toBe("Program starting");
    expect(out.filter((l) => l === "FIRST POLL - START OPERATION")).toHaveLength(5);
    expect(out.filter((l) => l === "HTTP/1.1 200 OK")).toHaveLength(5);
    expect(out.filter((l) => l.startsWith("HelloWorld"))).toEqual([
      "HelloWorld0",
      "HelloWorld1",
      "HelloWorld2",
      "HelloWorld3",
      "HelloWorld4",
    ]);
    const countdown = out
      .map((l) => /^main: (\d+) pending tasks\. Sleep until notified\.$/.exec(l)?.[1])
      .filter((n) => n !== undefined)
      .map(Number)
      .filter((n, i, all) => n !== all[i - 1]);
    expect(countdown.slice(-4)).toEqual([4, 3, 2, 1]);
    expect(out.filter((l) => l !== "").at(-1)).toBe("main: All tasks are finished");
    // The point of the example: the delays (0 + 1 + 2 + 3 + 4 = 10 s) overlap, so the
    // run takes about the longest one — and the executor sleeps while it waits.
    expect(run.wallMs).toBeGreaterThanOrEqual(4000);
    expect(run.wallMs).toBeLessThan(10_000);
    expect(run.cpuMs).toBeLessThan(run.wallMs / 2);
  });

  it("threads.js: twelve executors (main, exec-1 … exec-11) each finish their five requests", async () => {
    const run = await multi;
    console.log(
      `node dist/threads.js: wall ${Math.round(run.wallMs)} ms, CPU ${run.cpuMs} ms, exit ${run.code}`,
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = lines(run.stdout);
    const names = ["main", ...Array.from({ length: 11 }, (_, i) => `exec-${i + 1}`)];
    const finished = out
      .filter((l) => l.endsWith(": All tasks are finished"))
      .map((l) => l.slice(0, l.indexOf(":")));
    expect(finished.sort()).toEqual([...names].sort());
    expect(out.filter((l) => l === "Program starting")).toHaveLength(12);
    expect(out.filter((l) => l === "FIRST POLL - START OPERATION")).toHaveLength(60);
    // Only each response's last line: its body.
    const bodies = out.filter((l) => l.startsWith("HelloWorld"));
    expect(bodies).toHaveLength(60);
    for (let i = 0; i < 5; i++)
      expect(bodies.filter((b) => b === `HelloWorld${i}`)).toHaveLength(12);
    expect(out.some((l) => l.startsWith("HTTP/1.1"))).toBe(false);
    expect(run.wallMs).toBeGreaterThanOrEqual(4000);
  });
});
