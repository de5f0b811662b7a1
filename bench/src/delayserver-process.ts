// A server in a process of its own, so the clients' CPU figures never include it and it
// has a core and an fd table to itself. argv[2] is the kind ("delayserver", or "bare":
// node:http answering "x" with nothing else, the floor the delayserver is held against),
// argv[3] its listen backlog, argv[4] how many listening sockets the delayserver shares
// its port over (SO_REUSEPORT; default 1). It reports its port over IPC, answers "rss",
// and stops when told to (or when the bench goes away).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startDelayServer } from "@ch08/delayserver";
import { TcpListener } from "@ch08/mio";

/** Which server a server process runs. */
export type ServerKind = "delayserver" | "bare";
/** What the bench tells a server process. */
export type ToServer = "stop" | "rss";
/** What a server process tells the bench. */
export type FromServer =
  | { readonly type: "listening"; readonly port: number }
  | { readonly type: "rss"; readonly bytes: number };

interface Running {
  readonly port: number;
  close(): Promise<void>;
}

async function startBare(backlog: number): Promise<Running> {
  const server = createServer((_request, response) => response.end("x"));
  server.maxConnections = Number.POSITIVE_INFINITY;
  await new Promise<void>((resolve) =>
    server.listen({ host: "127.0.0.1", port: 0, backlog }, resolve),
  );
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The delayserver on `listeners` sockets bound to one port with SO_REUSEPORT, one server
 * each, all on this thread: one node:http process as before, but with as many accept
 * queues, over which the kernel spreads the connects.
 */
async function startShared(backlog: number, listeners: number): Promise<Running> {
  if (listeners === 1) return startDelayServer({ port: 0, quiet: true, backlog });
  const first = TcpListener.bind("127.0.0.1:0", { backlog, reusePort: true });
  const { port } = first.localAddr();
  const sockets = [first];
  for (let i = 1; i < listeners; i++) {
    sockets.push(TcpListener.bind(`127.0.0.1:${port}`, { backlog, reusePort: true }));
  }
  // Each server takes its socket over: closing the server closes it.
  const servers = await Promise.all(
    sockets.map((socket) => startDelayServer({ fd: socket.fd, quiet: true, backlog })),
  );
  return {
    port,
    close: async () => {
      await Promise.all(servers.map((server) => server.close()));
    },
  };
}

if (process.send !== undefined) {
  const kind = process.argv[2] as ServerKind;
  const backlog = Number(process.argv[3] ?? 511);
  const listeners = Number(process.argv[4] ?? 1);
  const server = kind === "bare" ? await startBare(backlog) : await startShared(backlog, listeners);
  const send = (message: FromServer): void => {
    process.send?.(message);
  };
  process.on("message", (message: ToServer) => {
    if (message === "rss") send({ type: "rss", bytes: process.memoryUsage.rss() });
    if (message === "stop") void server.close().then(() => process.exit(0));
  });
  process.on("disconnect", () => process.exit(0));
  send({ type: "listening", port: server.port });
}
