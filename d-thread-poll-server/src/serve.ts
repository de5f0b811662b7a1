#!/usr/bin/env node
// `pnpm serve [--host H] [--port P] [--max-delay MS] [--quiet] [--threads N] [--grace MS]`:
// the book's delayserver, served by stage d's runtime instead of node:http. Exit codes as
// `pnpm delayserver`'s: 0 stopped by a signal or --help, 1 cannot listen, 2 bad usage.
import { parseArgs } from "node:util";
import {
  bannerText,
  checkExperiment,
  DEFAULT_HOST,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_PORT,
  DELAYSERVER_OPTIONS,
  joinOptionValues,
  ListenError,
  MAX_TIMER_MS,
  parseArgsErrorText,
} from "@ch08/delayserver/protocol";
import { MAX_THREADS, type ThreadPollServer } from "./server/options.js";

function usageError(message: string): never {
  console.error(`serve: ${message}; see --help`);
  process.exit(2);
}

const HELP = [
  "serve: the delayserver (GET /{delay_ms}/{message} waits delay_ms, then echoes the message),",
  "served by stage d's runtime: epoll, timers and executors written here, no node:http.",
  "",
  "usage: pnpm serve [--host H] [--port P] [--max-delay MS] [--quiet] [--threads N] [--grace MS]",
  "",
  "options:",
  `  --host H         address to listen on (default ${DEFAULT_HOST})`,
  `  --port P         port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)`,
  `  --max-delay MS   longest delay a request may ask for (default ${DEFAULT_MAX_DELAY_MS})`,
  "  --quiet          do not print a line per request",
  "  --threads N      1 (default): the single-threaded runtime; N > 1: a polling thread",
  "                   and N executor threads",
  "  --grace MS       on Ctrl-C, how long in-flight answers may still take (default 10000)",
  "  -h, --help       print this text",
].join("\n");

function integerOption(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) > max || Number(raw) < min) {
    usageError(`--${name} takes a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** The longest `--grace` (the server itself takes up to its timer's limit). */
const MAX_GRACE_MS = 3_600_000;

/** The delayserver's options and this server's own. */
const OPTIONS = {
  values: {
    ...DELAYSERVER_OPTIONS.values,
    threads: `a whole number from 1 to ${MAX_THREADS}`,
    grace: `a whole number of milliseconds from 0 to ${MAX_GRACE_MS}`,
  },
  flags: DELAYSERVER_OPTIONS.flags,
};

function parseCommandLine() {
  // `pnpm serve -- --threads 2` passes its `--` on: skip it.
  const given = process.argv.slice(2);
  // As the delayserver's: `--port -1` is a port out of range, which parseArgs calls ambiguous.
  const args = joinOptionValues(given[0] === "--" ? given.slice(1) : given, OPTIONS);
  if ("error" in args) return usageError(args.error);
  try {
    return parseArgs({
      args,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        "max-delay": { type: "string" },
        quiet: { type: "boolean" },
        threads: { type: "string" },
        grace: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    return usageError(parseArgsErrorText(err));
  }
}

const values = parseCommandLine();
if (values.help === true) {
  console.log(HELP);
  process.exit(0);
}
const host = values.host ?? DEFAULT_HOST;
if (host === "") usageError("--host must not be empty");
const port = integerOption("port", values.port, DEFAULT_PORT, 0, 65_535);
const maxDelayMs = integerOption(
  "max-delay",
  values["max-delay"],
  DEFAULT_MAX_DELAY_MS,
  0,
  MAX_TIMER_MS,
);
const threads = integerOption("threads", values.threads, 1, 1, MAX_THREADS);
const graceMs = integerOption("grace", values.grace, 10_000, 0, MAX_GRACE_MS);

/** A second signal this soon after the first is the same Ctrl-C, relayed by a parent (pnpm). */
const RELAY_WINDOW_MS = 1000;

let server: ThreadPollServer | undefined;
let stoppingSince: number | undefined;
/** A signal that came while the server was starting: it stops as soon as it is up. */
let signalDuringStart: NodeJS.Signals | undefined;

/** `n` and its noun, plural unless n is 1: "1 request", "2 requests", "0 connections". */
const counted = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** Stops the running server as Ctrl-C asks: no new connections, answers in flight finish, exit 0. */
const stopServer = (running: ThreadPollServer, signal: NodeJS.Signals): void => {
  console.log(
    `serve: ${signal}: not accepting any more; waiting up to ${graceMs} ms for answers in flight`,
  );
  running.stop().then(
    (summary) => {
      const dropped =
        summary.droppedAnswers + summary.droppedConnections === 0
          ? "nothing dropped"
          : `dropped ${counted(summary.droppedAnswers, "answer")} still owed and ${counted(summary.droppedConnections, "connection")} never served`;
      console.log(
        `serve: stopped (${signal}): ${counted(summary.requests, "request")} on ${counted(summary.accepted, "connection")}; ${dropped}`,
      );
      process.exit(0);
    },
    (error: unknown) => {
      console.error(`serve: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
};

const stop = (signal: NodeJS.Signals): void => {
  if (stoppingSince !== undefined) {
    // pnpm passes the terminal's SIGINT on to its child, which got it from the terminal too.
    if (performance.now() - stoppingSince < RELAY_WINDOW_MS) return;
    console.log(`serve: stopped at once (second ${signal})`);
    process.exit(1);
  }
  stoppingSince = performance.now();
  // Still starting: its threads may be loading, and none is to be cut off half-way (koffi
  // aborts the process then). The start finishes first, then the server stops as usual.
  if (server === undefined) signalDuringStart = signal;
  else stopServer(server, signal);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

// A misspelt experiment would serve as if none were asked for: say so before starting.
try {
  checkExperiment(process.env.CH08_EXPERIMENT);
} catch (err) {
  console.error(`serve: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

// The runtime (koffi, libc) loads only now, with the signal handlers in place: a Ctrl-C
// while it loads is already the graceful one.
const { startServer } = await import("./server/start.js");
try {
  server = await startServer({
    host,
    port,
    maxDelayMs,
    quiet: values.quiet === true,
    threads,
    graceMs,
  });
} catch (err) {
  if (err instanceof ListenError && err.code === "EADDRINUSE") {
    console.error(
      `serve: port ${port} on ${host} is already in use; pick another with --port <n> (--port 0 picks a free one)`,
    );
  } else if (err instanceof ListenError && err.code === undefined) {
    // No errno: a host the runtime cannot use, or one of the server's threads failed to
    // start (it said why above). The reason says which.
    console.error(`serve: could not start: ${err.reason}`);
  } else if (err instanceof ListenError) {
    console.error(
      `serve: cannot listen on ${host}:${port} (${err.reason}); try another --host or --port`,
    );
  } else {
    console.error(`serve: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(1);
}
if (signalDuringStart !== undefined) {
  stopServer(server, signalDuringStart);
} else {
  const runtimeName =
    threads === 1
      ? "the single-threaded runtime"
      : `a polling thread and ${threads} executor threads`;
  console.log(`stage d: served by ${runtimeName}`);
  console.log(bannerText(server.address, maxDelayMs));
}
