import { startDelayServer } from "../src/server.js";
import { describeDelayServerRequestLines } from "./suites/request-lines.js";

describeDelayServerRequestLines("startDelayServer: arbitrary request lines", async (options) => {
  const lines: string[] = [];
  const server = await startDelayServer({ port: 0, ...options, log: (line) => lines.push(line) });
  return { address: server.address, logLines: () => lines, stop: () => server.close() };
});
