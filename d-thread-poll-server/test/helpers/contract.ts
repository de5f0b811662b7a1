import { describeDelayServerClientsLeaving } from "@ch08/delayserver/test/suites/clients-leaving";
import { describeDelayServerHostileMix } from "@ch08/delayserver/test/suites/hostile-mix";
import {
  describeDelayServerRoutes,
  type StartServerUnderTest,
} from "@ch08/delayserver/test/suites/routes";
import { startServer } from "../../dist/server/start.js";

/**
 * The delayserver's own suites, held against stage d's server: its routes and bad input,
 * clients that leave while their requests are held, and hostile clients all at once. On
 * the single-threaded runtime, and on a polling thread with two executor threads.
 * `backend` names the OS event queue the server runs on, for the tests' names.
 */
export function describeDelayServerContract(backend: string): void {
  for (const threads of [1, 2]) {
    const start: StartServerUnderTest = async ({ maxDelayMs }) => {
      const lines: string[] = [];
      const server = await startServer({
        port: 0,
        maxDelayMs,
        threads,
        graceMs: 500,
        log: (line) => lines.push(line),
      });
      return { address: server.address, logLines: () => lines, stop: () => server.close() };
    };
    const name = `stage d's server on ${backend}, threads: ${threads}`;
    describeDelayServerRoutes(name, start);
    describeDelayServerClientsLeaving(`${name}, clients leaving`, start);
    describeDelayServerHostileMix(`${name}, hostile clients all at once`, start);
  }
}
