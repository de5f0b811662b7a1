/**
 * @ch08/http — the leaf future every stage shares.
 *
 * ```ts
 * const future = new HttpGetFuture("/600/HelloAsyncAwait", stageReactor);
 * // a runtime polls it until it is ready; its output is the whole response as text
 * ```
 * Each stage wraps it as `Http.get(path)` with its own `Reactor`.
 */
export {
  HttpError,
  InvalidAddressError,
  InvalidPathError,
  ResponseError,
  type ResponseErrorCode,
  UnreachableError,
} from "./errors.js";
export { HttpGetFuture, type HttpGetOptions } from "./http-get-future.js";
export {
  checkFuture,
  checkGenerator,
  isReady,
  NOT_READY,
  NotAFutureError,
  NotAGeneratorError,
  NotAPollStateError,
  type NotReady,
  type PollState,
  type Ready,
  ready,
} from "./poll-state.js";
export { capturePrintln, println } from "./println.js";
export type { Reactor } from "./reactor.js";
export {
  DEFAULT_ADDRESS,
  delayserverAddress,
  encodeRequest,
  normalizeAddress,
  validatePath,
} from "./request.js";
export {
  DEFAULT_MAX_RESPONSE_BYTES,
  type HttpResponse,
  type InterimResponse,
  ResponseParser,
} from "./response.js";
