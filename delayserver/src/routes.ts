import { MAX_TARGET_LENGTH } from "./defaults.js";

/** What the server does with a request: hold it, then echo, or refuse it at once. */
export type Route =
  | { kind: "delay"; delayMs: number; message: string }
  | { kind: "reject"; status: 400 | 404 | 405 | 414; reason: string };

/**
 * Every status a delayserver answers with, and its reason phrase as node:http writes it:
 * the one table both delayservers' bodies and hand-written answers read, so stage d's
 * needs no node:http for its STATUS_CODES; a test keeps the two the same.
 */
export const REASON_PHRASES = {
  200: "OK",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  414: "URI Too Long",
  417: "Expectation Failed",
  431: "Request Header Fields Too Large",
  503: "Service Unavailable",
} as const;

/** The methods served; anything else gets 405 with this as the Allow header. */
export const ALLOWED_METHODS = "GET, HEAD";

/** Digits only, at least one: rules out a sign, a fraction, an exponent, spaces and hex. */
function isDigits(text: string): boolean {
  if (text === "") return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/**
 * Maps a request line to a Route without touching I/O, so every bad input can be tested
 * on its own. The shape is `/{delay_ms}/{message}`: one segment of digits, then one
 * non-empty percent-encoded segment; a query string is ignored, as in the book's server.
 */
export function route(method: string, target: string, maxDelayMs: number): Route {
  if (target.length > MAX_TARGET_LENGTH) {
    return reject(414, `the URL is longer than ${MAX_TARGET_LENGTH} bytes`);
  }
  if (method !== "GET" && method !== "HEAD") {
    return reject(405, "only GET and HEAD are served");
  }
  const path = pathOf(target);
  if (path === undefined) return reject(404, "the path must start with /");
  // Two segments, `{delay}/{message}`: found by the slashes, not split into an array,
  // as this runs for every request either server answers. Counted up to 3 (more than two).
  const slash = path.indexOf("/", 1);
  const segments = slash === -1 ? 1 : path.includes("/", slash + 1) ? 3 : 2;
  const delay = slash === -1 ? path.slice(1) : path.slice(1, slash);
  const rawMessage = slash === -1 ? undefined : path.slice(slash + 1);
  if (segments > 2 || !isDigits(delay)) {
    // `/abc/x` has the right shape with a bad delay; anything else is not ours at all.
    if (segments === 2 && delay !== "") {
      return reject(400, "the delay must be a whole number of milliseconds (digits only)");
    }
    return reject(404, "no such path");
  }
  const delayMs = Number(delay);
  if (delayMs > maxDelayMs) {
    return reject(400, `the delay is too large: at most ${maxDelayMs} ms`);
  }
  if (rawMessage === undefined || rawMessage === "") {
    return reject(400, "the message is missing");
  }
  let message: string;
  try {
    // Without a "%" there is nothing to decode (the usual case, and the server's hot path).
    message = rawMessage.includes("%") ? decodeURIComponent(rawMessage) : rawMessage;
  } catch {
    return reject(400, "the message has a malformed percent-encoding");
  }
  return { kind: "delay", delayMs, message };
}

/** The path of an origin-form (`/a/b?q`) or absolute-form (`http://h/a/b`) target. */
function pathOf(target: string): string | undefined {
  let path = target;
  // A path (the usual case) has no scheme to look for.
  const scheme = path.startsWith("/") ? null : /^https?:\/\/[^/?]*/i.exec(path);
  if (scheme !== null) path = path.slice(scheme[0].length) || "/";
  if (!path.startsWith("/")) return undefined;
  const query = path.indexOf("?");
  return query === -1 ? path : path.slice(0, query);
}

function reject(status: 400 | 404 | 405 | 414, reason: string): Route {
  return { kind: "reject", status, reason };
}
