// A module loader hook for start-up.test.ts: prints every module a program loads on stderr,
// and every import that names a workspace package (`@ch08/…`) with the file it came from.
// Written straight to fd 2: the hooks run on a thread of their own, whose process.stderr
// reaches the terminal through the main thread, so a line could come after the exit.
import { writeSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  if (specifier.startsWith("@ch08/")) {
    writeSync(2, `by name ${specifier} from ${context.parentURL ?? "(entry)"}\n`);
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  writeSync(2, `loaded ${url}\n`);
  return nextLoad(url, context);
}
