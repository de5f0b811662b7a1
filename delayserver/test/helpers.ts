// Helpers for the delayserver's own tests: the built package, the CLI as a child process,
// and (re-exported) the real-socket clients every suite uses.
import { type ChildProcess, spawn } from "node:child_process";
import { within } from "./suites/client.js";

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

/** A child process whose output can be awaited line by line. */
export interface Child {
  readonly process: ChildProcess;
  /** All stdout so far. */
  stdout(): string;
  /** All stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout; fails with the output at the deadline. */
  waitFor(pattern: RegExp, deadlineMs?: number): Promise<RegExpMatchArray>;
  /** The same, in stderr. */
  waitForError(pattern: RegExp, deadlineMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal name); fails with the output at the deadline. */
  exit(deadlineMs?: number): Promise<number | string>;
}

/**
 * Runs `node dist/cli.js ...args`; with `maxOpenFiles`, under that `ulimit -n` (set by sh,
 * which then execs node), as an operator's shell would.
 */
export function runCli(args: string[], options: { maxOpenFiles?: number } = {}): Child {
  return runNode([CLI, ...args], options);
}

/** Runs `node ...nodeArgs` as runCli does (a script, or `--input-type=module -e code`). */
export function runNode(nodeArgs: string[], options: { maxOpenFiles?: number } = {}): Child {
  const child =
    options.maxOpenFiles === undefined
      ? spawn(process.execPath, nodeArgs, { stdio: ["ignore", "pipe", "pipe"] })
      : spawn(
          "sh",
          [
            "-c",
            `ulimit -n ${options.maxOpenFiles} && exec "$0" "$@"`,
            process.execPath,
            ...nodeArgs,
          ],
          { stdio: ["ignore", "pipe", "pipe"] },
        );
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const w of waiters) w();
  };
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    out += s;
    notify();
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    err += s;
    notify();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  const matchIn = (text: () => string, pattern: RegExp): Promise<RegExpMatchArray> =>
    new Promise<RegExpMatchArray>((resolve) => {
      const check = (): void => {
        const m = text().match(pattern);
        if (m !== null) {
          waiters.delete(check);
          resolve(m);
        }
      };
      waiters.add(check);
      check();
    });
  const dump = (): string => `\n--- stdout ---\n${out}\n--- stderr ---\n${err}`;
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, deadlineMs = 10_000) {
      return within(
        matchIn(() => out, pattern),
        deadlineMs,
        () => `the CLI to print ${pattern}${dump()}`,
      );
    },
    waitForError(pattern, deadlineMs = 10_000) {
      return within(
        matchIn(() => err, pattern),
        deadlineMs,
        () => `stderr to show ${pattern}${dump()}`,
      );
    },
    exit(deadlineMs = 10_000) {
      return within(exited, deadlineMs, () => `the CLI to exit${dump()}`);
    },
  };
}
