// A program as a child process, its output awaitable with a deadline: for the CLI tests
// of any server (the delayserver's, stage d's `pnpm serve`). Imports nothing from the
// delayserver, like client.ts.
import { type ChildProcess, spawn } from "node:child_process";
import { within } from "./client.js";

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
 * Runs `node ...nodeArgs` (a script, or `--input-type=module -e code`); with
 * `maxOpenFiles`, under that `ulimit -n` (set by sh, which then execs node), as an
 * operator's shell would.
 */
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
