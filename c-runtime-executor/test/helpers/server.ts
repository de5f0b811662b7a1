import { type DelayServer, startDelayServerThread } from "@ch08/delayserver";
import { capturePrintln } from "@ch08/http";

/**
 * Starts a delayserver on a worker thread (it must answer while this thread is parked in
 * `Atomics.wait`) and points `DELAYSERVER` at it — before any future or executor thread
 * is made, since workers copy the environment when they are created.
 */
export async function startServer(): Promise<DelayServer> {
  const server = await startDelayServerThread({ port: 0, quiet: true });
  process.env.DELAYSERVER = server.address;
  return server;
}

/** Sends this thread's println output to a string; returns a function that reads it. */
export function silencePrintln(): () => string {
  let text = "";
  capturePrintln((chunk) => {
    text += chunk;
  });
  return () => text;
}

/** Resolves after `ms` (lets this thread's event loop turn). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
