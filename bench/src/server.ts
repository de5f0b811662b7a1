import { fork } from "node:child_process";
import type { FromServer, ToServer } from "./delayserver-process.js";

/** A delayserver running in its own child process. */
export interface ServerProcess {
  /** `127.0.0.1:port`, for DELAYSERVER. */
  readonly address: string;
  /** Stops it and waits until the process has exited. */
  stop(): Promise<void>;
}

/** Forks the delayserver into a child process and waits (up to 10 s) until it listens. */
export function forkDelayServer(): Promise<ServerProcess> {
  const child = fork(new URL("./delayserver-process.js", import.meta.url), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise<ServerProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error("the delayserver child process did not start listening within 10 s"));
    }, 10_000);
    child.once("message", (message: FromServer) => {
      clearTimeout(timer);
      resolve({
        address: `127.0.0.1:${message.port}`,
        stop: async () => {
          child.send("stop" satisfies ToServer);
          await exited;
        },
      });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the delayserver child process exited early (code ${code})`));
    });
  });
}
