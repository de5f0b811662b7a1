import { parseAddress } from "./address.js";
import { DEFAULT_ADDRESS } from "./defaults.js";
import { type EnsuredDelayServer, ensureDelayServer } from "./ensure.js";
import { checkExperiment } from "./experiments.js";

export { checkExperiment, EXPERIMENTS } from "./experiments.js";

/**
 * Runs a chapter program against a delayserver: the one at `DELAYSERVER` if it is
 * listening, else one started on a worker thread for the run (said in one line). While
 * `run` executes, `DELAYSERVER` names the server in use; the program's threads inherit it.
 * A failure is printed as its message alone (it says what to do) with exit code 1.
 */
export async function withDelayServer(run: () => void | Promise<void>): Promise<void> {
  const wanted = process.env.DELAYSERVER || DEFAULT_ADDRESS;
  let server: EnsuredDelayServer;
  try {
    checkExperiment(process.env.CH08_EXPERIMENT);
    // The chapter's client (mio) speaks IPv4 and `localhost` only: a server found or
    // started anywhere else could not be reached, and every request would fail alike.
    const { host } = parseAddress(wanted);
    if (!isClientHost(host)) {
      throw new TypeError(
        `DELAYSERVER=${wanted}: the chapter's client connects to an IPv4 address or localhost only (mio has no resolver and no IPv6 here); use e.g. 127.0.0.1:8080`,
      );
    }
    server = await ensureDelayServer(wanted);
  } catch (error) {
    fail(error);
    return;
  }
  if (server.started) {
    console.log(
      `(no delayserver was listening at ${wanted}: started one on a worker thread at ${server.address} for this run)`,
    );
  }
  process.env.DELAYSERVER = server.address;
  try {
    await run();
  } catch (error) {
    fail(error);
  } finally {
    await server.close();
  }
}

/** Prints a failure's message alone (it says what to do) and sets exit code 1. */
function fail(error: unknown): void {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

/** Whether the stages' client can connect to `host`: a dotted IPv4 address or localhost. */
function isClientHost(host: string): boolean {
  return host === "localhost" || /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
