import { startDelayServer } from "../src/server.js";
import { describeDelayServerHostileMix } from "./suites/hostile-mix.js";

describeDelayServerHostileMix("startDelayServer: hostile clients all at once", async (options) => {
  const server = await startDelayServer({ port: 0, ...options, quiet: true });
  return { address: server.address, logLines: () => [], stop: () => server.close() };
});
