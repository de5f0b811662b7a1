import { BroadcastChannel } from "node:worker_threads";
import {
  DEFAULT_HOST,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_PORT,
  formatAddress,
  ListenError,
  MAX_TIMER_MS,
} from "@ch08/delayserver/protocol";
import { Waker as MioWaker, type WakerHandle } from "@ch08/mio";
import { spawn, ThreadState } from "@ch08/std";
import type { ReactorHandle } from "../runtime/reactor.js";
import { createJobQueue } from "../spawner.js";
import { Stat } from "./context.js";
import { assertReactorFree, startMultiThreaded } from "./multi.js";
import {
  MAX_THREADS,
  type ServeOptions,
  type ServerThreadOptions,
  type StopSummary,
  type ThreadPollServer,
} from "./options.js";
import { type FailedAt, type Running, threadExit } from "./running.js";

/** How long a request head may take to arrive by default: node:http's `headersTimeout`. */
const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;
/** node:http's default `requestTimeout`. */
const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;

/** The longest accept queue listen(2) takes: its backlog is a C int. */
const MAX_BACKLOG = 2_147_483_647;

/** The longest a stop waits for the server's threads beyond the grace period. */
const EXIT_SLACK_MS = 5000;
/** The longest grace: a stop waits `graceMs + EXIT_SLACK_MS` in one timer, which holds MAX_TIMER_MS at most. */
const MAX_GRACE_MS = MAX_TIMER_MS - EXIT_SLACK_MS;

let channels = 0;

/**
 * Starts the delayserver on stage d's runtime: `threads` 1 (default) runs the
 * single-threaded runtime on one thread; more runs a polling thread and that many
 * executor threads. Resolves once the port is bound. Rejects with the delayserver's
 * `ListenError` when it cannot be bound or a server thread fails at start (its message
 * says what to change: the port, the host, or what the thread failed on), with
 * `AlreadyRunningError` for a second multi-threaded server, and with `RangeError` for
 * an option out of range.
 */
export async function startServer(options: ServeOptions = {}): Promise<ThreadPollServer> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const threads = options.threads ?? 1;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`port must be an integer from 0 to 65535, got ${port}`);
  }
  if (!Number.isInteger(maxDelayMs) || maxDelayMs < 0 || maxDelayMs > MAX_TIMER_MS) {
    throw new RangeError(
      `maxDelayMs must be an integer from 0 to ${MAX_TIMER_MS}, got ${maxDelayMs}`,
    );
  }
  const headersTimeoutMs = timeoutOption(
    "headersTimeoutMs",
    options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
  );
  const requestTimeoutMs = timeoutOption(
    "requestTimeoutMs",
    options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  );
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new RangeError(`threads must be an integer from 1 to ${MAX_THREADS}, got ${threads}`);
  }
  const backlog = options.backlog ?? 4096;
  if (!Number.isInteger(backlog) || backlog < 1 || backlog > MAX_BACKLOG) {
    throw new RangeError(
      `backlog must be an integer from 1 to ${MAX_BACKLOG} (the kernel caps it at net.core.somaxconn), got ${backlog}`,
    );
  }
  const graceMs = options.graceMs ?? 10_000;
  if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > MAX_GRACE_MS) {
    throw new RangeError(
      `graceMs must be a whole number of milliseconds from 0 to ${MAX_GRACE_MS}, got ${graceMs}`,
    );
  }
  if (threads > 1) assertReactorFree();
  const stats = new Int32Array(new SharedArrayBuffer(Stat.SIZE * Int32Array.BYTES_PER_ELEMENT));
  let channel: BroadcastChannel | undefined;
  let log: ServerThreadOptions["log"] = { to: options.quiet === true ? "none" : "stdout" };
  const sink = options.log;
  if (options.quiet !== true && sink !== undefined) {
    const name = `ch08-serve-${process.pid}-${++channels}`;
    channel = new BroadcastChannel(name);
    channel.onmessage = (event: unknown) => sink(String((event as { data: unknown }).data));
    log = { to: "channel", name };
  }
  const threadOptions: ServerThreadOptions = {
    host,
    port,
    maxDelayMs,
    backlog,
    graceMs,
    headersTimeoutMs,
    requestTimeoutMs,
    log,
    stats: stats.buffer as SharedArrayBuffer,
    modules: (options.modules ?? []).map(String),
    jobs: Array.from({ length: threads }, () => createJobQueue()),
  };
  let running: Running;
  try {
    running =
      threads === 1
        ? await startSingleThreaded(threadOptions)
        : await startMultiThreaded(threadOptions, threads);
  } catch (error) {
    channel?.close(); // an open channel would keep the caller's process alive
    throw error;
  }
  if (running.kind === "failed") {
    channel?.close();
    throw startError(host, port, running);
  }
  let stopping: Promise<StopSummary> | undefined;
  const stop = (): Promise<StopSummary> => {
    stopping ??= (async () => {
      Atomics.store(stats, Stat.STOPPING, 1);
      running.wake();
      await running.exited(threadOptions.graceMs + EXIT_SLACK_MS);
      channel?.close();
      return {
        requests: Atomics.load(stats, Stat.REQUESTS),
        accepted: Atomics.load(stats, Stat.ACCEPTED),
        droppedAnswers: Atomics.load(stats, Stat.DROPPED),
        droppedConnections: Atomics.load(stats, Stat.DROPPED_CONNECTIONS),
      };
    })();
    return stopping;
  };
  return {
    host,
    port: running.port,
    address: formatAddress(host, running.port),
    threads,
    stop,
    spawner: (index = 0) => {
      if (!Number.isInteger(index) || index < 0 || index >= threads) {
        throw new RangeError(
          `spawner(index): index must be from 0 to ${threads - 1}, got ${index}`,
        );
      }
      return running.spawner(index);
    },
    close: async () => {
      await stop();
    },
    counters: () => ({
      requests: Atomics.load(stats, Stat.REQUESTS),
      accepted: Atomics.load(stats, Stat.ACCEPTED),
      open: Atomics.load(stats, Stat.OPEN),
      stolen: Atomics.load(stats, Stat.STOLEN),
    }),
  };
}

type Started =
  | { kind: "bound"; port: number; wake: WakerHandle; reactor: ReactorHandle }
  | { kind: "failed"; code?: string; message: string; source: FailedAt };

async function startSingleThreaded(options: ServerThreadOptions): Promise<Running> {
  // Through @ch08/std's spawn, not `new Worker`: its start gate keeps a stop or an exit
  // from ending the thread while koffi loads in it (that aborts the whole process).
  const thread = spawn(
    new URL("./single-thread-main.js", import.meta.url),
    "runSingleThreadedServer",
    {
      name: "server",
      args: [options],
      data: { jobModules: options.modules },
    },
  );
  let ended = false;
  const started = await new Promise<Started>((resolve) => {
    thread.worker.once("message", (message: Started) => resolve(message));
    thread.worker.once("error", (error) =>
      resolve({ kind: "failed", message: error.message, source: "thread" }),
    );
    thread.worker.once("exit", () => {
      ended = true;
      resolve({
        kind: "failed",
        source: "thread",
        message:
          thread.status === ThreadState.FAILED
            ? "the server thread failed at start (its error is on stderr)"
            : "the server thread ended at start",
      });
    });
  });
  if (started.kind === "failed") {
    if (!ended) await threadExit(thread, EXIT_SLACK_MS).catch(() => {});
    const { code, message, source } = started;
    return { kind: "failed", code, message, source };
  }
  const waker = MioWaker.fromHandle(started.wake);
  const { reactor } = started;
  const exited = threadExit(thread, 24 * 3600 * 1000);
  return {
    kind: "running",
    port: started.port,
    spawner: () => ({ jobs: options.jobs[0] ?? createJobQueue(), reactor, interruptsPoll: true }),
    wake: () => waker.wake(),
    exited: (deadlineMs) =>
      Promise.race([
        exited,
        new Promise<void>((_, reject) => {
          const timer = setTimeout(() => {
            void thread.terminate();
            reject(
              new Error(
                `the server thread did not stop within ${deadlineMs} ms; it was terminated`,
              ),
            );
          }, deadlineMs);
          void exited.then(() => clearTimeout(timer));
        }),
      ]),
  };
}

/** `value`, checked as a timeout option named `name`: a whole number of ms a timer can hold. */
function timeoutOption(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_TIMER_MS) {
    throw new RangeError(`${name} must be an integer from 1 to ${MAX_TIMER_MS}, got ${value}`);
  }
  return value;
}

/**
 * The delayserver's `ListenError` for a start that failed, its advice fitted to what
 * failed. Its own message always ends "pick another port", which sends a reader after
 * the port when the host, the descriptor limit or a server thread was the trouble.
 */
function startError(
  host: string,
  port: number,
  failed: { code: string | undefined; message: string; source: FailedAt },
): ListenError {
  const where = `cannot listen on ${host}:${port} (${failed.message})`;
  const every = "127.0.0.1, or 0.0.0.0 for every interface";
  let message: string | undefined;
  if (failed.source === "thread") {
    message =
      `could not start the server on ${host}:${port}: ${failed.message}; fix what it failed ` +
      "on (often a module in `modules` that cannot be imported, or that throws as it loads) " +
      "and start again: the port was not the problem";
  } else if (failed.source === "address") {
    message = `${where}; pass host as an IPv4 address (${every}) or localhost`;
  } else if (failed.code === "EADDRNOTAVAIL") {
    message = `${where}; ${host} is not an address of this machine: pass one that is (${every})`;
  } else if (failed.code === "EMFILE" || failed.code === "ENFILE") {
    const whose = failed.code === "EMFILE" ? "this process" : "the system";
    message = `${where}; ${whose} is out of file descriptors: close some, or raise the limit (ulimit -n)`;
  } else if (failed.code !== "EADDRINUSE" && failed.code !== "EACCES") {
    message = `${where}; try another host or port`;
  }
  // A port in use or not ours to bind (EACCES): ListenError's own advice fits (no message).
  return new ListenError(host, port, failed.code, failed.message, message);
}
