/** One line saying how to call the server, appended to every 4xx answer. */
export function usageLine(maxDelayMs: number): string {
  return `usage: GET /{delay_ms}/{message} with delay_ms from 0 to ${maxDelayMs} and a URL-encoded message, e.g. /200/Hello%20World`;
}

/** What the CLI prints at start-up: how to call it and what it will print, in the book's spirit. */
export function bannerText(address: string, maxDelayMs: number): string {
  return [
    `delayserver listening on http://${address}`,
    "",
    "USAGE:",
    `  Send an HTTP GET to http://${address}/{delay in ms}/{URL-encoded message}`,
    `  e.g. curl http://${address}/200/Hello%20World`,
    "  As soon as a request arrives, a line is printed below:",
    "    #{request number} - {delay}ms: {message}",
    "  then the answer is held for {delay} milliseconds and the message echoed back",
    `  (200, text/plain). Delays go from 0 to ${maxDelayMs} ms. Stop with Ctrl-C.`,
    "",
    "REQUESTS:",
    "--------",
  ].join("\n");
}

/** What `--help` prints. */
export function helpText(defaults: { host: string; port: number; maxDelayMs: number }): string {
  return [
    "delayserver: GET /{delay_ms}/{message} waits delay_ms milliseconds, then echoes the message.",
    "",
    "usage: pnpm delayserver [--host H] [--port P] [--max-delay MS] [--quiet]",
    "",
    "options:",
    `  --host H         address to listen on (default ${defaults.host}, loopback only;`,
    "                   0.0.0.0 opens it to the network)",
    `  --port P         port to listen on (default ${defaults.port}; 0 picks a free one)`,
    `  --max-delay MS   longest delay a request may ask for (default ${defaults.maxDelayMs})`,
    "  --quiet          do not print a line per request",
    "  -h, --help       print this text",
  ].join("\n");
}

/**
 * The message as it goes into a console line: control characters (C0, DEL, C1) escaped,
 * so that a client cannot rewrite the operator's terminal with escape sequences.
 */
export function printable(message: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      out += `${message.slice(from, i)}\\x${c.toString(16).padStart(2, "0")}`;
      from = i + 1;
    }
  }
  return from === 0 ? message : out + message.slice(from);
}
