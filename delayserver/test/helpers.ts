// Helpers for the delayserver's own tests: the built package, the CLI as a child process,
// and (re-exported) the real-socket clients every suite uses.
import { type Child, runNode } from "./suites/child.js";

export { type Child, runNode } from "./suites/child.js";
export { type Answer, canBind, get, raw, within } from "./suites/client.js";

/** The built package, typed by its source (a worker_thread can only load built JS). */
export type Dist = typeof import("../src/index.js");

/** Imports dist/index.js, which global-setup.ts keeps fresh. */
export async function loadDist(): Promise<Dist> {
  const url = new URL("../dist/index.js", import.meta.url).href;
  return (await import(url)) as Dist;
}

/** The built CLI entry point. */
export const CLI = new URL("../dist/cli.js", import.meta.url).pathname;

/**
 * Runs `node dist/cli.js ...args`; with `maxOpenFiles`, under that `ulimit -n` (set by sh,
 * which then execs node), as an operator's shell would.
 */
export function runCli(args: string[], options: { maxOpenFiles?: number } = {}): Child {
  return runNode([CLI, ...args], options);
}
