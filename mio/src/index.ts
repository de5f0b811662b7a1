/**
 * @ch08/mio — the OS event queue of chapter 8, in TypeScript over libc (via koffi):
 * Poll, Registry, Events, Token, Interest, TcpStream, TcpListener and a cross-thread Waker, with
 * epoll on Linux and poll(2) as the portable fallback. See README.md.
 */
export { IoError } from "./errors.js";
export { type Event, Events } from "./events.js";
export { Interest } from "./interest.js";
export {
  AddrParseError,
  type ParsedAddress,
  parseSocketAddr,
  type SocketAddr,
  type SocketAddress,
} from "./net/socket-address.js";
export { type Accepted, type ListenOptions, TcpListener } from "./net/tcp-listener.js";
export { Shutdown, TcpStream, WOULD_BLOCK } from "./net/tcp-stream.js";
export {
  Poll,
  type PollHandle,
  type PollOptions,
  Registry,
  type RegistryHandle,
  type Source,
} from "./poll.js";
export { checkPlatform, type PlatformCheck, type PlatformLayout } from "./sys/platform.js";
export type { BackendName } from "./sys/selector.js";
export { MAX_TOKEN, Token } from "./token.js";
export { Waker, type WakerHandle } from "./waker.js";
