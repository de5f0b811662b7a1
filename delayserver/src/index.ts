/**
 * The book's delayserver on node:http: `GET /{delay_ms}/{message}` waits, then echoes.
 *
 * ```ts
 * import { startDelayServer } from "@ch08/delayserver";
 * const server = await startDelayServer({ port: 0, quiet: true });
 * const res = await fetch(`http://${server.address}/200/Hello%20World`); // "Hello World"
 * await server.close();
 * ```
 * @module
 */
export { type EnsuredDelayServer, ensureDelayServer, isAccepting } from "./ensure.js";
export * from "./protocol.js";
export { startDelayServer } from "./server.js";
export { startDelayServerThread } from "./thread.js";
export { withDelayServer } from "./with-delayserver.js";
