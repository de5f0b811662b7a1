import { spawnSync } from "node:child_process";
import { Worker } from "node:worker_threads";
import { get, within } from "@ch08/delayserver/test/suites/client";
import { afterEach, describe, expect, it } from "vitest";
import { startServer } from "../dist/server/start.js";
import { Spawner } from "../dist/spawner.js";
import type { ThreadPollServer } from "../src/server/options.js";
import { listen } from "./helpers/wait.js";

const jobs = new URL("./helpers/jobs.mjs", import.meta.url).href;
const THROWING_JOB = new URL("./helpers/throwing-job.mjs", import.meta.url).pathname;

let server: ThreadPollServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("Spawner: work named as a module export and copyable args, from any thread", () => {
  for (const threads of [1, 2]) {
    it(`runs a job spawned from this thread and from a plain worker thread (threads: ${threads})`, async () => {
      server = await startServer({ port: 0, threads, quiet: true, modules: [jobs] });
      const reports = listen();
      try {
        new Spawner(server.spawner(threads - 1)).spawn(jobs, "echo", reports.name, [1, "two"]);
        expect(await reports.next(5000, "the job spawned from this thread")).toEqual({
          value: [1, "two"],
        });
        const worker = new Worker(new URL("./helpers/spawn-from-worker.mjs", import.meta.url), {
          workerData: { handle: server.spawner(0), module: jobs, channel: reports.name },
        });
        expect(await reports.next(5000, "the job spawned from a worker")).toEqual({
          value: "from a worker",
        });
        await worker.terminate();
      } finally {
        reports.close();
      }
    });
  }

  for (const threads of [1, 2]) {
    it(`a job whose export throws fails alone: the thread still runs jobs and answers (threads: ${threads})`, async () => {
      server = await startServer({ port: 0, threads, quiet: true, modules: [jobs] });
      const reports = listen();
      try {
        for (let index = 0; index < threads; index++) {
          const spawner = new Spawner(server.spawner(index));
          spawner.spawn(jobs, "throws");
          // Queued behind the throwing job: it runs only if that thread's runtime is still up.
          spawner.spawn(jobs, "echo", reports.name, index);
          expect(await reports.next(5000, `a job on executor ${index} after the throw`)).toEqual({
            value: index,
          });
        }
        expect((await get(server.address, "/0/alive", { deadlineMs: 5000 })).body).toBe("alive");
        const stopped = await within(server.stop(), 5000, "the stop after a job threw");
        expect(stopped.requests).toBe(1);
      } finally {
        reports.close();
      }
    });

    it(`a job whose export throws is reported on stderr when the server stops, by name (threads: ${threads})`, () => {
      const run = spawnSync(process.execPath, [THROWING_JOB, String(threads)], {
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^answer: after\nstopped: \{"requests":1,/);
      expect(run.stderr).toMatch(
        /task \d+ failed and nobody joined it: JobFailedError: job throws of file:\S+\/jobs\.mjs threw instead of returning a future, so it did not run \(the runtime goes on\): job export threw/,
      );
      expect(run.stderr).not.toMatch(/thread failed/);
    });

    it(`a job whose export returns no future (a Promise) fails alone, and the server goes on (threads: ${threads})`, () => {
      const run = spawnSync(process.execPath, [THROWING_JOB, String(threads), "returnsPromise"], {
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^answer: after\nstopped: \{"requests":1,/);
      expect(run.stderr).toMatch(
        /task \d+ failed and nobody joined it: NotAFutureError: spawn or blockOn was given a Promise, not a Future/,
      );
      expect(run.stderr).not.toMatch(/thread failed/);
    });
  }

  it("refuses arguments that cannot be copied to another thread, saying what to pass", async () => {
    server = await startServer({ port: 0, quiet: true, modules: [jobs] });
    const spawner = new Spawner(server.spawner());
    expect(() => spawner.spawn(jobs, "echo", () => 1)).toThrow(
      /cannot be copied.*numbers, strings/,
    );
  });
});

describe("work stealing in the multi-threaded server", () => {
  it("an idle executor takes the connections waiting for a blocked one, and answers them", async () => {
    server = await startServer({ port: 0, threads: 2, quiet: true, modules: [jobs] });
    const reports = listen();
    try {
      // Executor 0's thread is stuck in this job for 4 s: it cannot take a connection.
      new Spawner(server.spawner(0)).spawn(jobs, "blockThread", reports.name, 4000);
      expect(await reports.next(5000, "executor 0 to be blocked")).toBe("blocked");
      // Round robin hands half of these to executor 0; all must be answered while it is stuck.
      const address = server.address;
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => get(address, `/0/stolen${i}`, { deadlineMs: 3500 })),
      );
      expect(answers.map((a) => a.body)).toEqual(Array.from({ length: 8 }, (_, i) => `stolen${i}`));
      // Still blocked when every answer was in: they were served by executor 1.
      const unblocked = reports.next(0, "").catch(() => "still blocked");
      expect(await unblocked).toBe("still blocked");
      expect(server.counters().stolen).toBeGreaterThan(0);
      expect(await reports.next(6000, "executor 0 to be free again")).toBe("unblocked");
    } finally {
      reports.close();
    }
  });
});
