import { startDelayServer } from "../src/server.js";
import { describeDelayServerRoutes } from "./suites/routes.js";

// The shared route and bad-input suite, against the node:http server in this thread.
describeDelayServerRoutes("startDelayServer (node:http, this thread)", async ({ maxDelayMs }) => {
  const lines: string[] = [];
  const server = await startDelayServer({ port: 0, maxDelayMs, log: (line) => lines.push(line) });
  return { address: server.address, logLines: () => lines, stop: () => server.close() };
});
