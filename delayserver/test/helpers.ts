// Real-socket clients for the tests; every wait here ends by a deadline with a message.
import { type ChildProcess, spawn } from "node:child_process";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect, createServer } from "node:net";
import { performance } from "node:perf_hooks";

/** The built package, typed by its source (a worker_thread can only load built JS). */
export type Dist = typeof import("../src/index.js");

/** Imports dist/index.js, which global-setup.ts keeps fresh. */
export async function loadDist(): Promise<Dist> {
  const url = new URL("../dist/index.js", import.meta.url).href;
  return (await import(url)) as Dist;
}

/** The built CLI entry point. */
export const CLI = new URL("../dist/cli.js", import.meta.url).pathname;

/** Rejects with `what` (worded at the deadline) unless `promise` settles within `ms`. */
export function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string | (() => string),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms: ${typeof what === "string" ? what : what()}`));
    }, ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** An answer as the client saw it, with how long it took. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  elapsedMs: number;
}

/** One request on a fresh connection (no agent pooling), answered within `deadlineMs`. */
export function get(
  address: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; deadlineMs?: number } = {},
): Promise<Answer> {
  const [host = "", port = ""] = splitAddress(address);
  const started = performance.now();
  const answer = new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(
      {
        host,
        port: Number(port),
        path,
        method: options.method ?? "GET",
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            elapsedMs: performance.now() - started,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
  return within(
    answer,
    options.deadlineMs ?? 10_000,
    `${options.method ?? "GET"} ${path.slice(0, 60)}`,
  );
}

/**
 * Writes raw bytes on a new TCP connection and collects everything until the server
 * closes it (or `untilBytes` arrive). `halfClose` sends FIN right after the bytes.
 */
export function raw(
  port: number,
  bytes: string | Buffer,
  options: { halfClose?: boolean; deadlineMs?: number; until?: (text: string) => boolean } = {},
): Promise<string> {
  const socket = connect({ host: "127.0.0.1", port });
  const text = new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const soFar = (): string => Buffer.concat(chunks).toString("latin1");
    socket.on("connect", () => {
      if (options.halfClose === true) socket.end(bytes);
      else socket.write(bytes);
    });
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      if (options.until?.(soFar()) === true) {
        socket.destroy();
        resolve(soFar());
      }
    });
    socket.on("close", () => resolve(soFar()));
    socket.on("error", (err) => {
      // A reset after the answer arrived is still an answer.
      if (chunks.length > 0) resolve(soFar());
      else reject(err);
    });
  });
  return within(text, options.deadlineMs ?? 10_000, "raw exchange").finally(() => socket.destroy());
}

/** Whether this process can bind host:port right now (i.e. nothing holds it). */
export function canBind(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** host and port of `host:port` (no IPv6 needed here). */
function splitAddress(address: string): [string, string] {
  const colon = address.lastIndexOf(":");
  return [address.slice(0, colon), address.slice(colon + 1)];
}

/** A child process whose output can be awaited line by line. */
export interface Child {
  readonly process: ChildProcess;
  /** All stdout so far. */
  stdout(): string;
  /** All stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout; fails with the output at the deadline. */
  waitFor(pattern: RegExp, deadlineMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal name); fails with the output at the deadline. */
  exit(deadlineMs?: number): Promise<number | string>;
}

/** Runs `node dist/cli.js ...args`. */
export function runCli(args: string[]): Child {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
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
  const dump = (): string => `\n--- stdout ---\n${out}\n--- stderr ---\n${err}`;
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, deadlineMs = 10_000) {
      const found = new Promise<RegExpMatchArray>((resolve) => {
        const check = (): void => {
          const m = out.match(pattern);
          if (m !== null) {
            waiters.delete(check);
            resolve(m);
          }
        };
        waiters.add(check);
        check();
      });
      return within(found, deadlineMs, () => `the CLI to print ${pattern}${dump()}`);
    },
    exit(deadlineMs = 10_000) {
      return within(exited, deadlineMs, () => `the CLI to exit${dump()}`);
    },
  };
}
