import { Worker } from "node:worker_threads";
import { DEFAULT_PORT } from "./defaults.js";
import { ListenError } from "./errors.js";
import type { DelayServer, DelayServerOptions } from "./options.js";
import type { FromThread, ThreadData, ToThread } from "./thread-protocol.js";

// How long close() waits for the thread to stop on its own before terminating it.
const STOP_DEADLINE_MS = 5_000;

/**
 * Runs the delayserver on a worker_thread (a real OS thread with its own event loop), so it
 * answers while this thread blocks in epoll_wait or Atomics.wait. Once listening, the thread
 * does not keep the process alive; close() stops the server and ends the thread.
 */
export function startDelayServerThread(options: DelayServerOptions = {}): Promise<DelayServer> {
  const quiet = options.quiet === true;
  const log = options.log;
  const warn = options.warn;
  const data: ThreadData = {
    host: options.host,
    port: options.port,
    maxDelayMs: options.maxDelayMs,
    backlog: options.backlog,
    fd: options.fd,
    quiet,
    forwardLog: log !== undefined && !quiet,
    forwardWarn: warn !== undefined,
  };
  // Resolved next to this file: works from dist/, where server-thread.js is built JS.
  const worker = new Worker(new URL("./server-thread.js", import.meta.url), { workerData: data });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));

  return new Promise<DelayServer>((resolve, reject) => {
    let listening = false;
    worker.on("message", (message: FromThread) => {
      switch (message.type) {
        case "log":
          (log ?? console.log)(message.line);
          break;
        case "warn":
          (warn ?? console.error)(message.line);
          break;
        case "failed": {
          const l = message.listen;
          reject(
            l === undefined
              ? new Error(message.message)
              : new ListenError(l.host, l.port, l.code, l.reason, message.message),
          );
          break;
        }
        case "listening": {
          listening = true;
          // Only now: a pending start must keep the process alive until it settles.
          worker.unref();
          let closing: Promise<void> | undefined;
          const close = (): Promise<void> => {
            closing ??= stop(worker, exited);
            return closing;
          };
          resolve({ host: message.host, port: message.port, address: message.address, close });
          break;
        }
      }
    });
    worker.on("error", (err) => {
      if (!listening) reject(err);
      else console.error(`delayserver thread failed: ${err.message}`);
    });
    void exited.then(() => {
      if (!listening) {
        reject(
          new Error(
            `the delayserver thread exited before listening on port ${options.port ?? DEFAULT_PORT}`,
          ),
        );
      }
    });
  });
}

async function stop(worker: Worker, exited: Promise<void>): Promise<void> {
  // Keep the process alive while the thread answers its held requests and exits.
  worker.ref();
  worker.postMessage({ type: "close" } satisfies ToThread);
  let deadline: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    deadline = setTimeout(() => resolve("late"), STOP_DEADLINE_MS);
  });
  const outcome = await Promise.race([exited, late]);
  clearTimeout(deadline);
  if (outcome === "late") await worker.terminate();
}
