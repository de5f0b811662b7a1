// The server under test, in its own process so it has a core (and an fd table) of its own.
// argv[2] is "delayserver" or "bare"; it reports its port, then answers "rss" and "stop".
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startDelayServer } from "../server.js";

/** What the bench asks of a server process. */
export type ToServer = "rss" | "stop";

/** What a server process tells the bench. */
export type FromServer = { type: "listening"; port: number } | { type: "rss"; bytes: number };

const send = (message: FromServer): void => {
  process.send?.(message);
};

async function start(kind: string): Promise<{ port: number; close: () => Promise<void> }> {
  if (kind === "delayserver") {
    return startDelayServer({ port: 0, quiet: true });
  }
  // The floor to compare against: node:http with nothing in the handler.
  const bare = createServer((_req, res) => res.end("x"));
  bare.maxConnections = Number.POSITIVE_INFINITY;
  await new Promise<void>((resolve) =>
    bare.listen({ host: "127.0.0.1", port: 0, backlog: 4096 }, resolve),
  );
  return {
    port: (bare.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        bare.close(() => resolve());
        bare.closeAllConnections();
      }),
  };
}

if (process.argv[1] !== undefined && process.send !== undefined) {
  const server = await start(process.argv[2] ?? "");
  process.on("message", (message: ToServer) => {
    if (message === "rss") send({ type: "rss", bytes: process.memoryUsage().rss });
    if (message === "stop") void server.close().then(() => process.exit(0));
  });
  // The bench going away must not leave a server behind.
  process.on("disconnect", () => process.exit(0));
  send({ type: "listening", port: server.port });
}
