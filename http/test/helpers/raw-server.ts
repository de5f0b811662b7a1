import { Worker } from "node:worker_threads";

/** The raw test server running on its own thread. */
export interface RawServer {
  /** `127.0.0.1:port`. */
  readonly address: string;
  /** How many requests it has answered, and how many connections are open right now. */
  stats(): Promise<{ served: number; open: number }>;
  /** Destroys every connection, stops listening, ends the thread. */
  close(): Promise<void>;
}

type FromServer =
  | { type: "listening"; address: string }
  | { type: "stats"; served: number; open: number };

/** Starts test/helpers/raw-server.mjs on a worker thread; resolves once it listens. */
export function startRawServer(): Promise<RawServer> {
  const worker = new Worker(new URL("./raw-server.mjs", import.meta.url));
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  return new Promise<RawServer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("raw server did not listen in 5 s")), 5000);
    worker.once("error", reject);
    worker.once("message", (message: FromServer) => {
      clearTimeout(timer);
      if (message.type !== "listening") {
        reject(new Error(`unexpected first message ${message.type}`));
        return;
      }
      resolve({
        address: message.address,
        stats: () =>
          new Promise((done) => {
            worker.once("message", (reply: FromServer) => {
              if (reply.type === "stats") done({ served: reply.served, open: reply.open });
            });
            worker.postMessage({ type: "stats" });
          }),
        close: async () => {
          worker.postMessage({ type: "close" });
          const late = setTimeout(() => void worker.terminate(), 5000);
          await exited;
          clearTimeout(late);
        },
      });
    });
  });
}
