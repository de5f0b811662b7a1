import { BroadcastChannel } from "node:worker_threads";
import { usageLine } from "@ch08/delayserver/protocol";
import { Mutex, writeAll } from "@ch08/std";
import { type ServerContext, Stat } from "./context.js";
import type { ServerThreadOptions } from "./options.js";

/** This thread's `ServerContext`, and how to release what it opened (a log channel). */
export function createContext(options: ServerThreadOptions): {
  context: ServerContext;
  release: () => void;
} {
  let log: ((line: string) => void) | undefined;
  let release = (): void => {};
  const target = options.log;
  if (target.to === "stdout") {
    // Straight to fd 1: console.log from a worker goes through the main thread's event loop.
    log = (line) => writeAll(1, `${line}\n`);
  } else if (target.to === "channel") {
    const channel = new BroadcastChannel(target.name);
    log = (line) => channel.postMessage(line);
    release = () => channel.close();
  }
  const stats = new Int32Array(options.stats);
  const context: ServerContext = {
    maxDelayMs: options.maxDelayMs,
    headersTimeoutMs: options.headersTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
    usage: usageLine(options.maxDelayMs),
    log,
    logLock: new Mutex(stats, Stat.LOG_LOCK),
    stats,
    connections: new Set(),
    freeTokens: [],
    stopping: false,
    dropDeadline: Number.POSITIVE_INFINITY,
    allClosed: undefined,
  };
  return { context, release };
}
