import { fork } from "node:child_process";
import type { FromServer, ServerKind, ToServer } from "./delayserver-process.js";
import { somaxconn } from "./machine.js";

/** A server running in a child process of its own. */
export interface ServerProcess {
  /** `127.0.0.1:port`, for DELAYSERVER. */
  readonly address: string;
  /** The port on 127.0.0.1. */
  readonly port: number;
  /** How many sockets share that port (see `ServerOptions.listeners`). */
  readonly listeners: number;
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
  /**
   * How many sockets the delayserver listens on, all bound to its port with SO_REUSEPORT
   * (default 1): each has an accept queue of its own, so a burst of connects larger than
   * one queue (somaxconn) is not dropped either.
   */
  readonly listeners?: number;
}

/** Forks a server into a child process and waits (up to 10 s) until it listens. */
export function forkServer(options: ServerOptions = {}): Promise<ServerProcess> {
  const kind = options.kind ?? "delayserver";
  const listeners = options.listeners ?? 1;
  const child = fork(
    new URL("./delayserver-process.js", import.meta.url),
    [kind, String(options.backlog ?? 65_535), String(listeners)],
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
    listeners,
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

/**
 * Forks the delayserver the clients run against into a child process of its own, with
 * accept queues for `connects` connects at once: enough sockets sharing its port that
 * their queues (somaxconn each) hold them with a quarter to spare, as the kernel's
 * spreading is not exactly even. One queue of 4,096 (this machine's somaxconn) dropped
 * up to 2,000 of a client's 10,000 connects, and each cost its request a 1 s SYN retry.
 */
export function forkDelayServer(connects: number): Promise<ServerProcess> {
  const queue = somaxconn() ?? 4096;
  return forkServer({ listeners: Math.max(1, Math.ceil((connects * 1.25) / queue)) });
}
