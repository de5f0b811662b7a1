import { parentPort } from "node:worker_threads";
import { init } from "../runtime.js";
import { createJobQueue, JobReceiver } from "../spawner.js";
import { createContext } from "./context-setup.js";
import { ConnectionInboxes, type ServerHandle } from "./inbox.js";
import { InboxTask } from "./inbox-task.js";
import { jobModules } from "./job-modules.js";
import type { ServerThreadOptions } from "./options.js";

/**
 * One executor thread of the multi-threaded server, started by @ch08/std's `spawn`: join
 * the polling thread's reactor, then run this executor's inbox task and the connections
 * it adopts until the server stops. What it throws, `spawn`'s thread entry reports.
 */
export function runServerExecutor(
  index: number,
  server: ServerHandle,
  options: ServerThreadOptions,
): void {
  const executor = init({ verbose: false });
  const { context, release } = createContext(options);
  const inboxes = new ConnectionInboxes(server.inboxes, server.executors);
  // Up and joined: the server counts as started once every executor can take connections.
  parentPort?.postMessage("ready");
  const jobs = new JobReceiver(server.jobs[index] ?? createJobQueue(), jobModules);
  try {
    executor.blockOn(new InboxTask(index, inboxes, context, options.graceMs, jobs));
  } finally {
    release();
  }
}
