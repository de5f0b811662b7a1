// A module loader hook for start-up.test.ts: prints every module a program loads on stderr.
// Written straight to fd 2: the hooks run on a thread of their own, whose process.stderr
// reaches the terminal through the main thread, so a line could come after the exit.
import { writeSync } from "node:fs";

export async function load(url, context, nextLoad) {
  writeSync(2, `loaded ${url}\n`);
  return nextLoad(url, context);
}
