import { describeDelayServerRoutes } from "@ch08/delayserver/test/suites/routes";
import { startServer } from "../dist/server/start.js";

// The delayserver's own route and bad-input suite, held against stage d's server: on the
// single-threaded runtime, and on a polling thread with two executor threads.
for (const threads of [1, 2]) {
  describeDelayServerRoutes(`stage d's server, threads: ${threads}`, async ({ maxDelayMs }) => {
    const lines: string[] = [];
    const server = await startServer({
      port: 0,
      maxDelayMs,
      threads,
      graceMs: 500,
      log: (line) => lines.push(line),
    });
    return { address: server.address, logLines: () => lines, stop: () => server.close() };
  });
}
