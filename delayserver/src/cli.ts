#!/usr/bin/env node
// `pnpm delayserver [--host H] [--port P] [--max-delay MS] [--quiet]`: the book's delayserver
// in a terminal. Exit codes: 0 stopped by a signal or --help, 1 cannot listen, 2 bad usage.
import { parseArgs } from "node:util";
import { DEFAULT_HOST, DEFAULT_MAX_DELAY_MS, DEFAULT_PORT, MAX_TIMER_MS } from "./defaults.js";
import { ListenError } from "./errors.js";
import type { DelayServer } from "./options.js";
import { startDelayServer } from "./server.js";
import { bannerText, helpText } from "./usage.js";

const DEFAULTS = { host: DEFAULT_HOST, port: DEFAULT_PORT, maxDelayMs: DEFAULT_MAX_DELAY_MS };

function usageError(message: string): never {
  console.error(`delayserver: ${message}; see --help`);
  process.exit(2);
}

function integerOption(
  name: string,
  raw: string | undefined,
  fallback: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) > max) {
    usageError(`--${name} takes a whole number from 0 to ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        host: { type: "string" },
        port: { type: "string" },
        "max-delay": { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    // parseArgs' own words already name the culprit ("Unknown option '--x'").
    const first = err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err);
    return usageError(first.replace(/\.$/, ""));
  }
}

const values = parseCommandLine();
if (values.help === true) {
  console.log(helpText(DEFAULTS));
  process.exit(0);
}
const host = values.host ?? DEFAULT_HOST;
if (host === "") usageError("--host must not be empty");
const port = integerOption("port", values.port, DEFAULT_PORT, 65_535);
const maxDelayMs = integerOption(
  "max-delay",
  values["max-delay"],
  DEFAULT_MAX_DELAY_MS,
  MAX_TIMER_MS,
);

// Signals are handled from before the port is bound: a SIGTERM that lands between start-up
// and the banner must still end in a clean exit 0, not Node's default death by signal.
let server: DelayServer | undefined;
let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) {
    // A second Ctrl-C means "now": do not wait for held requests to drain.
    console.log(`delayserver: stopped at once (second ${signal})`);
    process.exit(1);
  }
  stopping = true;
  void (server?.close() ?? Promise.resolve()).then(() => {
    console.log(`delayserver: stopped (${signal})`);
    process.exit(0);
  });
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

try {
  server = await startDelayServer({ host, port, maxDelayMs, quiet: values.quiet === true });
} catch (err) {
  if (err instanceof ListenError && err.code === "EADDRINUSE") {
    console.error(
      `delayserver: port ${port} on ${host} is already in use; pick another with --port <n> (--port 0 picks a free one)`,
    );
  } else if (err instanceof ListenError) {
    console.error(
      `delayserver: cannot listen on ${host}:${port} (${err.reason}); try another --host or --port`,
    );
  } else {
    console.error(`delayserver: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(1);
}
console.log(bannerText(server.address, maxDelayMs));
