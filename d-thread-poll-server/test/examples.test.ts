import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../dist/server/start.js";
import type { ThreadPollServer } from "../src/server/options.js";

// Client and server both on runtimes written here: every stage's example, as a reader runs
// it, against stage d's server (the `pnpm serve` equivalent, on a free port).

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <stage>/dist/<script>` with DELAYSERVER pointing at `server` (20 s deadline). */
function runExample(stage: string, script: string, server: ThreadPollServer): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [new URL(`../../${stage}/dist/${script}`, import.meta.url).pathname],
      { timeout: 20_000, env: { ...process.env, DELAYSERVER: server.address } },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : null,
          stdout,
          stderr,
        });
      },
    );
  });
}

for (const threads of [1, 2]) {
  describe(`the stages' examples against stage d's server (threads: ${threads})`, () => {
    let server: ThreadPollServer;
    const lines: string[] = [];
    const runs = new Map<string, Promise<Run>>();
    const run = (stage: string): Promise<Run> =>
      runs.get(stage) ?? Promise.reject(new Error(`${stage} was not started`));
    beforeAll(async () => {
      server = await startServer({ port: 0, threads, log: (line) => lines.push(line) });
      // All four at once (c and d take the book's 4 s each); each test awaits its own.
      for (const stage of [
        "a-runtime",
        "b-reactor-executor",
        "c-runtime-executor",
        "d-thread-poll-server",
      ]) {
        runs.set(stage, runExample(stage, "main.js", server));
      }
    });
    afterAll(async () => {
      await Promise.allSettled(runs.values());
      await server?.close();
    });

    it("stage a: two requests in sequence, answered by our server", async () => {
      const { stdout, stderr, code } = await run("a-runtime");
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).not.toMatch(/no delayserver was listening/);
      expect(stdout).toMatch(/HelloAsyncAwait/);
      expect(lines.some((line) => /^#\d+ - 600ms: HelloAsyncAwait$/.test(line))).toBe(true);
    });

    it("stage b: the same on a reactor thread", async () => {
      const { stdout, stderr, code } = await run("b-reactor-executor");
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toMatch(/HelloAsyncAwait/);
    });

    it("stage c: five requests, 0–4 s, answered in delay order", async () => {
      const { stdout, stderr, code } = await run("c-runtime-executor");
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const order = [...stdout.matchAll(/^HelloWorld(\d)\r?$/gm)].map((m) => Number(m[1]));
      expect(order).toEqual([0, 1, 2, 3, 4]);
    });

    it("stage d: the same five on the single-threaded runtime as the client", async () => {
      const { stdout, stderr, code } = await run("d-thread-poll-server");
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const order = [...stdout.matchAll(/^HelloWorld(\d)\r?$/gm)].map((m) => Number(m[1]));
      expect(order).toEqual([0, 1, 2, 3, 4]);
      expect(stdout).not.toMatch(/reactor/);
    });
  });
}
