import { writeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { init } from "../runtime.js";
import { createJobQueue, JobReceiver, loadModules } from "../spawner.js";
import { createContext } from "./context-setup.js";
import { ConnectionInboxes, type ServerHandle } from "./inbox.js";
import { InboxTask } from "./inbox-task.js";
import type { ServerThreadOptions } from "./options.js";

// One executor thread of the multi-threaded server: join the polling thread's reactor,
// then run this executor's inbox task and the connections it adopts until the server stops.

const { index, server, options } = workerData as {
  index: number;
  server: ServerHandle;
  options: ServerThreadOptions;
};

try {
  const modules = await loadModules(options.modules);
  const executor = init({ verbose: false });
  const { context, release } = createContext(options);
  const inboxes = new ConnectionInboxes(server.inboxes, server.executors);
  // Up and joined: the server counts as started once every executor can take connections.
  parentPort?.postMessage("ready");
  const jobs = new JobReceiver(server.jobs[index] ?? createJobQueue(), modules);
  executor.blockOn(new InboxTask(index, inboxes, context, options.graceMs, jobs));
  release();
} catch (error) {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  writeSync(2, `exec-${index}: ${detail}\n`);
  process.exitCode = 1;
}
