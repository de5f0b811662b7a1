// The delayserver in a process of its own, so the clients' CPU figures never include it:
// it reports its port over IPC, then stops when told to (or when the bench goes away).
import { startDelayServer } from "@ch08/delayserver";

/** What the bench tells the delayserver process. */
export type ToServer = "stop";
/** What the delayserver process tells the bench. */
export type FromServer = { type: "listening"; port: number };

if (process.send !== undefined) {
  const server = await startDelayServer({ port: 0, quiet: true, backlog: 65_535 });
  process.on("message", (message: ToServer) => {
    if (message === "stop") void server.close().then(() => process.exit(0));
  });
  process.on("disconnect", () => process.exit(0));
  process.send({ type: "listening", port: server.port } satisfies FromServer);
}
