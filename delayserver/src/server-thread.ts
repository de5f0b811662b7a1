// The worker_thread body of startDelayServerThread: the same server, on its own event loop,
// so it keeps answering while the main thread blocks in epoll_wait or Atomics.wait.
import { writeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { ListenError } from "./errors.js";
import { startDelayServer } from "./server.js";
import type { FromThread, ThreadData, ToThread } from "./thread-protocol.js";

const port = parentPort;
if (port === null) throw new Error("server-thread.js runs only as a worker_thread");
const data = workerData as ThreadData;
const post = (message: FromThread): void => port.postMessage(message);

// console.log in a worker is relayed through the main thread's event loop, which a blocked
// runtime never turns; writing fd 1 (or 2) directly prints each line as it happens.
const printTo =
  (fd: 1 | 2, type: "log" | "warn") =>
  (line: string): void => {
    try {
      writeSync(fd, `${line}\n`);
    } catch {
      post({ type, line });
    }
  };

try {
  const server = await startDelayServer({
    host: data.host,
    port: data.port,
    maxDelayMs: data.maxDelayMs,
    backlog: data.backlog,
    fd: data.fd,
    quiet: data.quiet,
    log: data.forwardLog ? (line) => post({ type: "log", line }) : printTo(1, "log"),
    warn: data.forwardWarn ? (line) => post({ type: "warn", line }) : printTo(2, "warn"),
  });
  port.on("message", (message: ToThread) => {
    if (message.type === "close") {
      // Closing the port empties this thread's event loop once the server is down: it exits.
      void server.close().then(() => port.close());
    }
  });
  post({ type: "listening", host: server.host, port: server.port, address: server.address });
} catch (err) {
  post({
    type: "failed",
    listen:
      err instanceof ListenError
        ? { host: err.host, port: err.port, code: err.code, reason: err.reason }
        : undefined,
    message: err instanceof Error ? err.message : String(err),
  });
  port.close();
}
