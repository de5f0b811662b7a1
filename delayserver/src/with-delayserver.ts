import { DEFAULT_ADDRESS } from "./defaults.js";
import { ensureDelayServer } from "./ensure.js";

/**
 * Runs a chapter program against a delayserver: the one at `DELAYSERVER` if it is
 * listening, else one started on a worker thread for the run (said in one line). While
 * `run` executes, `DELAYSERVER` names the server in use; the program's threads inherit it.
 * A failure is printed as its message alone (it says what to do) with exit code 1.
 */
export async function withDelayServer(run: () => void | Promise<void>): Promise<void> {
  const wanted = process.env.DELAYSERVER || DEFAULT_ADDRESS;
  const server = await ensureDelayServer(wanted);
  if (server.started) {
    console.log(
      `(no delayserver was listening at ${wanted}: started one on a worker thread at ${server.address} for this run)`,
    );
  }
  process.env.DELAYSERVER = server.address;
  try {
    await run();
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    await server.close();
  }
}
