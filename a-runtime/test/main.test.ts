import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type DelayServer, startDelayServerThread } from "@ch08/delayserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, maskDate } from "./helpers.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
// Preloaded into the child: reports the whole process's CPU time (all threads) at exit.
const REPORT_CPU =
  "data:text/javascript,process.on('exit',()=>process.stderr.write('CPU '+JSON.stringify(process.cpuUsage())+'\\n'))";

let server: DelayServer;

beforeAll(async () => {
  server = await startDelayServerThread({ port: 0, quiet: true });
});

afterAll(async () => {
  await server?.close();
});

/** This process's environment minus the RUNTIME_* tracing switches, so output stays plain. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("RUNTIME_")),
  );
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  cpuMs: number;
}

/** Runs `node dist/main.js ...args` with DELAYSERVER set; resolves when it exits (deadline 15 s). */
function runMain(delayserver: string, args: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", REPORT_CPU, MAIN, ...args], {
      env: { ...childEnv(), DELAYSERVER: delayserver },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const deadline = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`main did not exit within 15 s; stdout so far:\n${stdout}\n${stderr}`));
    }, 15_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(deadline);
      // A worker thread runs the preload too: the process's own report is the last one.
      const cpu = [...stderr.matchAll(/CPU (\{.*\})/g)].at(-1)?.[1];
      const usage: { user: number; system: number } =
        cpu === undefined ? { user: 0, system: 0 } : JSON.parse(cpu);
      resolve({
        code,
        stdout,
        stderr: stderr.replace(/CPU \{.*\}\n/g, ""),
        wallMs: performance.now() - started,
        cpuMs: (usage.user + usage.system) / 1000,
      });
    });
  });
}

const response = [
  "HTTP/1.1 200 OK",
  "Content-Type: text/plain; charset=utf-8",
  "Content-Length: 15",
  "Date: <masked>",
  "Connection: close",
  "",
  "HelloAsyncAwait",
].join("\r\n");

/** What the book's a-runtime prints. */
const BOOK_OUTPUT = [
  "Program starting",
  "FIRST POLL - START OPERATION",
  "Schedule other tasks",
  "",
  response,
  "FIRST POLL - START OPERATION",
  "Schedule other tasks",
  "",
  response,
  "",
].join("\n");

describe("node dist/main.js", () => {
  it("prints the book's output (state machine, --generator, and `-- --generator` as pnpm passes it), exits 0, takes ≥ 1.0 s", async () => {
    const runs = await Promise.all([
      runMain(server.address),
      runMain(server.address, ["--generator"]),
      runMain(server.address, ["--", "--generator"]),
    ]);
    for (const run of runs) {
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(maskDate(run.stdout)).toBe(BOOK_OUTPUT);
      expect(run.wallMs).toBeGreaterThanOrEqual(1000);
    }
    const [first] = runs;
    if (first !== undefined) {
      console.log(
        `stage a main as a child process: wall ${first.wallMs.toFixed(0)} ms, ` +
          `CPU ${first.cpuMs.toFixed(0)} ms (node start-up included)`,
      );
      expect(first.cpuMs).toBeGreaterThan(0);
      expect(first.cpuMs).toBeLessThan(first.wallMs * 0.5);
    }
  });

  it("with nothing listening at DELAYSERVER it starts a delayserver for the run, says so, and succeeds", async () => {
    const port = await freePort();
    const run = await runMain(`127.0.0.1:${port}`);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const [notice, ...rest] = run.stdout.split("\n");
    expect(notice).toBe(
      `(no delayserver was listening at 127.0.0.1:${port}: started one on a worker thread at 127.0.0.1:${port} for this run)`,
    );
    expect(maskDate(rest.join("\n"))).toBe(BOOK_OUTPUT);
  });
});
