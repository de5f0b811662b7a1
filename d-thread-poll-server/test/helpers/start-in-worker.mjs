// A thread started by @ch08/std's spawn, from a thread that runs the process's reactor (so
// it is handed that reactor), which tries to start a multi-threaded server of its own on
// `port` and reports how that went on the BroadcastChannel `name`.
import { BroadcastChannel } from "node:worker_threads";
import { startServer } from "../../dist/server/start.js";

export async function startMultiThreaded(name, port) {
  const channel = new BroadcastChannel(name);
  try {
    const server = await startServer({ port, threads: 2, quiet: true, graceMs: 100 });
    await server.stop();
    channel.postMessage({ started: true });
  } catch (error) {
    channel.postMessage({ name: error.name, message: error.message });
  } finally {
    channel.close();
  }
}
