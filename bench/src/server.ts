import { fork } from "node:child_process";
import type { FromServer, ServerKind, ToServer } from "./delayserver-process.js";

/** A server running in a child process of its own. */
export interface ServerProcess {
  /** `127.0.0.1:port`, for DELAYSERVER. */
  readonly address: string;
  /** The port on 127.0.0.1. */
  readonly port: number;
  /** The server process's resident set size now, bytes. */
  rss(): Promise<number>;
  /** Stops it and waits until the process has exited. */
  stop(): Promise<void>;
}

/** How to start a server process. */
export interface ServerOptions {
  /** The delayserver (default), or bare node:http answering "x": its floor. */
  readonly kind?: ServerKind;
  /**
   * The listen backlog (default 65,535, capped by somaxconn): a burst of thousands of
   * connects must not overflow the accept queue and cost the client 1 s SYN retries.
   */
  readonly backlog?: number;
}

/** Forks a server into a child process and waits (up to 10 s) until it listens. */
export function forkServer(options: ServerOptions = {}): Promise<ServerProcess> {
  const kind = options.kind ?? "delayserver";
  const child = fork(
    new URL("./delayserver-process.js", import.meta.url),
    [kind, String(options.backlog ?? 65_535)],
    { stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const next = <T extends FromServer["type"]>(
    type: T,
    what: string,
  ): Promise<Extract<FromServer, { type: T }>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.off("message", onMessage);
        reject(new Error(`the ${kind} server process did not ${what} within 10 s`));
      }, 10_000);
      const onMessage = (message: FromServer): void => {
        if (message.type !== type) return;
        clearTimeout(timer);
        child.off("message", onMessage);
        resolve(message as Extract<FromServer, { type: T }>);
      };
      child.on("message", onMessage);
    });
  const early = new Promise<never>((_, reject) => {
    child.once("exit", (code) =>
      reject(new Error(`the ${kind} server process exited early (code ${code})`)),
    );
  });
  const listening = next("listening", "start listening");
  // Once listening, an exit is the normal end, not a failure to report.
  early.catch(() => {});
  return Promise.race([listening, early]).then(({ port }) => ({
    address: `127.0.0.1:${port}`,
    port,
    rss: async () => {
      child.send("rss" satisfies ToServer);
      return (await next("rss", "report its memory")).bytes;
    },
    stop: async () => {
      child.send("stop" satisfies ToServer);
      await exited;
    },
  }));
}

/** Forks the delayserver, with a deep accept queue, into a child process of its own. */
export function forkDelayServer(): Promise<ServerProcess> {
  return forkServer();
}
