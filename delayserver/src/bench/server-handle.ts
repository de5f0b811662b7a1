import { type ChildProcess, fork } from "node:child_process";
import type { FromServer, ToServer } from "./server-process.js";

/** A server under test running in a child process. */
export interface ServerHandle {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** Its resident set size right now. */
  rss(): Promise<number>;
  /** Stops it and waits for the process to exit. */
  stop(): Promise<void>;
}

/** Forks dist/bench/server-process.js as `kind` and waits (up to 10 s) for its port. */
export function forkServer(kind: "delayserver" | "bare"): Promise<ServerHandle> {
  const child: ChildProcess = fork(new URL("./server-process.js", import.meta.url), [kind], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = (type: FromServer["type"], what: string): Promise<FromServer> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the ${kind} server did not ${what} in 10 s`)),
        10_000,
      );
      const onMessage = (message: FromServer): void => {
        if (message.type !== type) return;
        clearTimeout(timer);
        child.off("message", onMessage);
        resolve(message);
      };
      child.on("message", onMessage);
    });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return next("listening", "start").then((message) => ({
    port: message.type === "listening" ? message.port : 0,
    rss: async () => {
      child.send("rss" satisfies ToServer);
      const answer = await next("rss", "report its memory");
      return answer.type === "rss" ? answer.bytes : 0;
    },
    stop: async () => {
      child.send("stop" satisfies ToServer);
      await exited;
    },
  }));
}
