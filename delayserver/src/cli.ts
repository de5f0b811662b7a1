#!/usr/bin/env node
// `pnpm delayserver [--host H] [--port P] [--max-delay MS] [--quiet]`: the book's delayserver
// in a terminal. Exit codes: 0 stopped by a signal or --help, 1 cannot listen, 2 bad usage.
import { parseCliOptions } from "./cli-options.js";
import { DEFAULT_HOST, DEFAULT_MAX_DELAY_MS, DEFAULT_PORT } from "./defaults.js";
import { ListenError } from "./errors.js";
import type { DelayServer } from "./options.js";
import { startDelayServer } from "./server.js";
import { bannerText, helpText } from "./usage.js";

const DEFAULTS = { host: DEFAULT_HOST, port: DEFAULT_PORT, maxDelayMs: DEFAULT_MAX_DELAY_MS };

const parsed = parseCliOptions(process.argv.slice(2));
if (!parsed.ok) {
  console.error(`delayserver: ${parsed.error}; see --help`);
  process.exit(2);
}
const values = parsed.options;
if (values.help) {
  console.log(helpText(DEFAULTS));
  process.exit(0);
}
const host = values.host ?? DEFAULT_HOST;
const port = values.port ?? DEFAULT_PORT;
const maxDelayMs = values.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;

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
  server = await startDelayServer({ host, port, maxDelayMs, quiet: values.quiet });
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
