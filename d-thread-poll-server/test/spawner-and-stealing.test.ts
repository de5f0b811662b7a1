import { Worker } from "node:worker_threads";
import { get } from "@ch08/delayserver/test/suites/client";
import { afterEach, describe, expect, it } from "vitest";
import { startServer } from "../dist/server/start.js";
import { Spawner } from "../dist/spawner.js";
import type { ThreadPollServer } from "../src/server/options.js";
import { listen } from "./helpers/wait.js";

const jobs = new URL("./helpers/jobs.mjs", import.meta.url).href;

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
