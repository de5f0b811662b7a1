import { parentPort, workerData } from "node:worker_threads";
import { IoError, TcpListener } from "@ch08/mio";
import { initSingleThreaded } from "../runtime/local.js";
import { createJobQueue, JobReceiver, loadModules } from "../spawner.js";
import { Acceptor } from "./acceptor.js";
import { Stat } from "./context.js";
import { createContext } from "./context-setup.js";
import type { ServerThreadOptions } from "./options.js";

// The single-threaded server's one thread: bind, then run the accept loop and every
// connection on the single-threaded runtime, whose executor waits in epoll_wait itself.
// It runs on a worker only so that the thread that started it keeps its event loop
// (signals, a test's clients); nothing else runs beside it.

const options = workerData as ServerThreadOptions;
const stats = new Int32Array(options.stats);
const port = parentPort;
if (port === null) throw new Error("single-thread-main.js runs as a worker");

const runtime = initSingleThreaded({ verbose: false });
let listener: TcpListener;
try {
  listener = TcpListener.bind(`${options.host}:${options.port}`, { backlog: options.backlog });
} catch (error) {
  runtime.close();
  const code = error instanceof IoError ? error.code : undefined;
  port.postMessage({ kind: "failed", code, message: (error as Error).message });
  process.exit(0);
}
Atomics.store(stats, Stat.PORT, listener.localAddr().port);
const modules = await loadModules(options.modules);
port.postMessage({
  kind: "bound",
  port: listener.localAddr().port,
  wake: runtime.reactor.handle.stopWaker,
  reactor: runtime.reactor.handle,
});

const { context, release } = createContext(options);
const jobs = new JobReceiver(options.jobs[0] ?? createJobQueue(), modules);
const acceptor = new Acceptor(listener, context, runtime.reactor.nextId(), options.graceMs, jobs);
runtime.reactor.onForeignWake = () => acceptor.nudge();
runtime.executor.blockOn(acceptor);
runtime.close();
release();
