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
export { formatAddress, parseAddress } from "./address.js";
export { type CliOptions, type CliParse, parseCliOptions } from "./cli-options.js";
export {
  DEFAULT_ADDRESS,
  DEFAULT_HOST,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_PORT,
  MAX_TARGET_LENGTH,
  MAX_TIMER_MS,
} from "./defaults.js";
export { type EnsuredDelayServer, ensureDelayServer, isAccepting } from "./ensure.js";
export { ListenError } from "./errors.js";
export { openFileLimit } from "./fd-limit.js";
export type { DelayServer, DelayServerOptions } from "./options.js";
export { ALLOWED_METHODS, type Route, route } from "./routes.js";
export { startDelayServer } from "./server.js";
export { startDelayServerThread } from "./thread.js";
export { bannerText, helpText, printable, usageLine } from "./usage.js";
export { withDelayServer } from "./with-delayserver.js";
