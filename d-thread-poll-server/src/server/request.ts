/** The largest request head (request line + headers) accepted, as node:http's default: 16 KiB. */
export const MAX_HEAD_BYTES = 16 * 1024;

/** One parsed request head, and what the connection must do after answering it. */
export interface RequestHead {
  readonly method: string;
  readonly target: string;
  /** Keep the connection open after the answer (HTTP/1.1 unless `Connection: close`; 1.0 only if asked). */
  readonly keepAlive: boolean;
  /** Body bytes that follow the head and must be skipped before the next request. */
  readonly bodyLength: number;
  /** A chunked body we do not decode: answer, then close, as the stream can no longer be trusted. */
  readonly chunked: boolean;
  /** Where the next request starts in the buffer (the byte after the head). */
  readonly end: number;
}

/** What parsing found: a head, nothing complete yet, or a head the server must refuse. */
export type ParseResult =
  | RequestHead
  | typeof INCOMPLETE
  | { readonly error: 400 | 431; readonly reason: string };

const CR = 0x0d;
const LF = 0x0a;

/**
 * Whether `buffer[start, end)` holds a CR or an LF that is not part of a CRLF. Such a
 * byte is how request smuggling hides a second header or a second request from one
 * parser but not another, so node:http refuses it (400) and so does this server. A CR
 * as the very last byte may still get its LF in the next read: not bare yet.
 */
function bareLineBreak(buffer: Buffer, start: number, end: number): boolean {
  for (let at = buffer.indexOf(LF, start); at !== -1 && at < end; at = buffer.indexOf(LF, at + 1)) {
    if (at === start || buffer[at - 1] !== CR) return true;
  }
  for (let at = buffer.indexOf(CR, start); at !== -1 && at < end; at = buffer.indexOf(CR, at + 1)) {
    if (at + 1 < end && buffer[at + 1] !== LF) return true;
  }
  return false;
}

/** More bytes are needed before a whole head is there. */
export const INCOMPLETE = 0 as const;

// The methods node's parser (llhttp) knows for HTTP/1.x; another word is not HTTP at all (400).
// The router then answers 405 to every one but GET and HEAD, as the delayserver does.
const METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
  "PROPFIND",
  "PROPPATCH",
  "MKCOL",
  "COPY",
  "MOVE",
  "LOCK",
  "UNLOCK",
  "SEARCH",
  "PURGE",
  "REPORT",
]);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// A request-target has no spaces or control bytes (RFC 9112 §3.2).
const TARGET = /^[\x21-\x7e\x80-\xff]+$/;
const DIGITS = /^[0-9]+$/;
const CRLFCRLF = Buffer.from("\r\n\r\n");

/**
 * Parses the request head that starts at `start` in `buffer[start, end)`. Pure and
 * synchronous, so every bad input can be tested on its own, as the delayserver's
 * routes are; the answers to bad syntax match node:http's (400; 431 for a head over 16 KiB).
 */
export function parseRequest(buffer: Buffer, start: number, end: number): ParseResult {
  const found = buffer.indexOf(CRLFCRLF, start);
  const headEnd = found === -1 || found + 4 > end ? -1 : found;
  const scanned = headEnd === -1 ? Math.min(end, start + MAX_HEAD_BYTES) : headEnd + 4;
  if (bareLineBreak(buffer, start, scanned)) {
    return { error: 400, reason: "a CR or LF that is not part of a CRLF in the request head" };
  }
  if (headEnd === -1) {
    if (end - start > MAX_HEAD_BYTES)
      return { error: 431, reason: "the request head is over 16 KiB" };
    return INCOMPLETE;
  }
  if (headEnd + 4 - start > MAX_HEAD_BYTES) {
    return { error: 431, reason: "the request head is over 16 KiB" };
  }
  const lines = buffer.toString("latin1", start, headEnd).split("\r\n");
  const requestLine = lines[0] ?? "";
  const parts = requestLine.split(" ");
  const [method = "", target = "", version = ""] = parts;
  if (parts.length !== 3 || !METHODS.has(method) || !TARGET.test(target)) {
    return { error: 400, reason: "not an HTTP request line" };
  }
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0") {
    return { error: 400, reason: "only HTTP/1.0 and HTTP/1.1 are spoken" };
  }
  let keepAlive = version === "HTTP/1.1";
  let bodyLength = 0;
  let lengthSeen: string | undefined;
  let chunked = false;
  let hostSeen = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const colon = line.indexOf(":");
    if (colon <= 0) return { error: 400, reason: "a header line without a name and a colon" };
    const name = line.slice(0, colon);
    if (!HEADER_NAME.test(name)) return { error: 400, reason: "a header name with bad bytes" };
    const value = line.slice(colon + 1).trim();
    switch (name.toLowerCase()) {
      case "connection": {
        const tokens = value.toLowerCase();
        if (tokens.includes("close")) keepAlive = false;
        else if (tokens.includes("keep-alive")) keepAlive = true;
        break;
      }
      case "content-length":
        if (!DIGITS.test(value) || (lengthSeen !== undefined && lengthSeen !== value)) {
          return { error: 400, reason: "a bad Content-Length" };
        }
        lengthSeen = value;
        bodyLength = Number(value);
        break;
      case "transfer-encoding":
        chunked = true;
        break;
      case "host":
        hostSeen = true;
        break;
    }
  }
  // HTTP/1.1 makes Host mandatory (RFC 9112 §3.2), and node:http refuses a request without one.
  if (version === "HTTP/1.1" && !hostSeen) {
    return { error: 400, reason: "an HTTP/1.1 request without a Host header" };
  }
  if (chunked && lengthSeen !== undefined) {
    return { error: 400, reason: "both Content-Length and Transfer-Encoding" };
  }
  return {
    method,
    target,
    keepAlive: keepAlive && !chunked,
    bodyLength,
    chunked,
    end: headEnd + 4,
  };
}
