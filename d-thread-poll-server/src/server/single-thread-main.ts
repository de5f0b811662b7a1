import { parentPort } from "node:worker_threads";
import { TcpListener } from "@ch08/mio";
import { initSingleThreaded } from "../runtime/local.js";
import { createJobQueue, JobReceiver } from "../spawner.js";
import { Acceptor } from "./acceptor.js";
import { Stat } from "./context.js";
import { createContext } from "./context-setup.js";
import { jobModules } from "./job-modules.js";
import type { ServerThreadOptions } from "./options.js";
import { bindListener } from "./running.js";

/**
 * The single-threaded server's one thread, started by @ch08/std's `spawn`: bind, then run
 * the accept loop and every connection on the single-threaded runtime, whose executor
 * waits in epoll_wait itself. It runs on a thread of its own only so that the thread that
 * started it keeps its event loop (signals, a test's clients); nothing else runs beside it.
 * It tells its starter `bound` (with the handles to reach it) or `failed` by a message.
 */
export function runSingleThreadedServer(options: ServerThreadOptions): void {
  const port = parentPort;
  if (port === null) throw new Error("runSingleThreadedServer runs on a thread of its own");
  const stats = new Int32Array(options.stats);
  const runtime = initSingleThreaded({ verbose: false });
  const listener = bindListener(options);
  if (!(listener instanceof TcpListener)) {
    runtime.close();
    port.postMessage(listener);
    return;
  }
  let release = (): void => {};
  try {
    Atomics.store(stats, Stat.PORT, listener.localAddr().port);
    port.postMessage({
      kind: "bound",
      port: listener.localAddr().port,
      wake: runtime.reactor.handle.stopWaker,
      reactor: runtime.reactor.handle,
    });
    const made = createContext(options);
    release = made.release;
    const jobs = new JobReceiver(options.jobs[0] ?? createJobQueue(), jobModules);
    const acceptor = new Acceptor(
      listener,
      made.context,
      runtime.reactor.nextId(),
      options.graceMs,
      jobs,
    );
    runtime.reactor.onForeignWake = () => acceptor.nudge();
    runtime.executor.blockOn(acceptor);
  } finally {
    // The acceptor closes the listener on a stop (close is idempotent). A thread that
    // fails first must not leave it bound: the kernel would go on accepting connections
    // that nobody serves, and a new start on the port would find it in use.
    listener.close();
    runtime.close();
    release();
  }
}
