import { Worker } from "node:worker_threads";

/** A running test server on another thread. */
export interface TestServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts test/helpers/server-thread.mjs in a worker and resolves with its port. */
export async function startServer(): Promise<TestServer> {
  const worker = new Worker(new URL("./server-thread.mjs", import.meta.url));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("test server did not start in 5 s")), 5000);
    worker.once("message", (msg: { port: number }) => {
      clearTimeout(timer);
      resolve(msg.port);
    });
    worker.once("error", reject);
  });
  return {
    port,
    async stop() {
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      worker.postMessage("stop");
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Turns the Node event loop once, so the server thread's messages and timers can run. */
export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
