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
  /**
   * What an HTTP/1.1 `Expect` header asks (HTTP/1.0 has none): nothing, `100-continue`
   * (node:http then sends 100 Continue before its answer), or anything else (417).
   */
  readonly expect: Expectation;
  /** An HTTP/1.1 request without a Host header: node:http answers it 400 itself (RFC 9112 §3.2). */
  readonly hostMissing: boolean;
}

/** What a request's `Expect` header asks; see `RequestHead.expect`. */
export type Expectation = "none" | "continue" | "unmet";

/** What parsing found: a head, nothing complete yet, or a head the server must refuse. */
export type ParseResult =
  | RequestHead
  | typeof INCOMPLETE
  | { readonly error: 400 | 431; readonly reason: string };

/** More bytes are needed before a whole head is there. */
export const INCOMPLETE = 0 as const;

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const COMMA = 0x2c;
const SLASH = 0x2f;
const STAR = 0x2a;

// The methods node's parser (llhttp) knows for HTTP/1.x (node:http's `METHODS` in Node 20,
// written out: importing node:http would load it into the server's threads); another word
// is not HTTP at all (400). The router then answers 405 to every one but GET and HEAD, as
// the delayserver does.
const METHODS = new Set([
  "ACL",
  "BIND",
  "CHECKOUT",
  "CONNECT",
  "COPY",
  "DELETE",
  "GET",
  "HEAD",
  "LINK",
  "LOCK",
  "M-SEARCH",
  "MERGE",
  "MKACTIVITY",
  "MKCALENDAR",
  "MKCOL",
  "MOVE",
  "NOTIFY",
  "OPTIONS",
  "PATCH",
  "POST",
  "PROPFIND",
  "PROPPATCH",
  "PURGE",
  "PUT",
  "QUERY",
  "REBIND",
  "REPORT",
  "SEARCH",
  "SOURCE",
  "SUBSCRIBE",
  "TRACE",
  "UNBIND",
  "UNLINK",
  "UNLOCK",
  "UNSUBSCRIBE",
]);

/** A table of 256 bytes: 1 where `test(byte)` holds. */
function byteClass(test: (byte: number) => boolean): Uint8Array {
  const table = new Uint8Array(256);
  for (let byte = 0; byte < 256; byte++) table[byte] = test(byte) ? 1 : 0;
  return table;
}

/** A header name's bytes (RFC 9110 `tchar`). */
const TOKEN = byteClass(
  (b) => b < 0x80 && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(String.fromCharCode(b)),
);
/** A request-target's bytes: visible ASCII, no spaces, control bytes or raw UTF-8 (RFC 9112 §3.2). */
const TARGET = byteClass((b) => b >= 0x21 && b <= 0x7e);
/** The optional white space around a header value (RFC 9110 §5.6.3): space and tab only. */
const OWS = byteClass((b) => b === SP || b === HTAB);
/**
 * Bytes no request head may hold (RFC 9110 §5.5): control bytes other than tab (CR and LF
 * only as a CRLF, which `findHeadEnd` checks apart) and DEL. node:http refuses them too.
 */
const CONTROL = byteClass((b) => (b < 0x20 && b !== HTAB && b !== CR && b !== LF) || b === 0x7f);
/** The longest Content-Length taken: more digits than a safe integer holds is no length. */
const MAX_LENGTH_DIGITS = 15;

/**
 * Parses the request head that starts at `start` in `buffer[start, end)`. Pure and
 * synchronous, so every bad input can be tested on its own, as the delayserver's
 * routes are; the answers to bad syntax match node:http's (400; 431 for a head over 16 KiB).
 *
 * It works on the bytes, making strings only of what the router needs (the method and
 * the target): this runs once for every request the server answers.
 */
export function parseRequest(buffer: Buffer, start: number, end: number): ParseResult {
  // Empty lines before a request line are passed over (RFC 9112 §2.2, as node:http does);
  // they still count towards the 16 KiB a head may take.
  let first = start;
  while (end - first >= 2 && buffer[first] === CR && buffer[first + 1] === LF) first += 2;
  const headEnd = findHeadEnd(buffer, first, Math.min(end, start + MAX_HEAD_BYTES));
  if (headEnd === BARE_LINE_BREAK) {
    return { error: 400, reason: "a CR or LF that is not part of a CRLF in the request head" };
  }
  if (headEnd === CONTROL_BYTE) {
    return { error: 400, reason: "a control byte in the request head" };
  }
  if (headEnd < 0) {
    // A request line that is whole and wrong is refused now, as node:http does, rather
    // than once the rest of the head has come (or when the head's time is up).
    const lineEnd = indexOfByte(buffer, CR, first, end);
    if (lineEnd + 1 < end) {
      const request = requestLine(buffer, first, lineEnd);
      if (typeof request === "string") return { error: 400, reason: request };
    }
    if (end - start > MAX_HEAD_BYTES) {
      return { error: 431, reason: "the request head is over 16 KiB" };
    }
    return INCOMPLETE;
  }
  // From here on every CR is followed by its LF: a line ends at the next CR.
  const lineEnd = indexOfByte(buffer, CR, first, headEnd);
  const request = requestLine(buffer, first, lineEnd);
  if (typeof request === "string") return { error: 400, reason: request };
  let closeAsked = false;
  let keepAliveAsked = false;
  let bodyLength = 0;
  let lengthSeen: string | undefined;
  /** The Transfer-Encoding's last coding, if there is one: all that says how the body ends. */
  let encoding: "chunked" | "other" | undefined;
  let hostSeen = false;
  let expect: Expectation = "none";
  for (let line = lineEnd + 2; line < headEnd; ) {
    const eol = indexOfByte(buffer, CR, line, headEnd);
    const colon = indexOfByte(buffer, COLON, line, eol);
    if (colon === line || colon === eol) {
      return { error: 400, reason: "a header line without a name and a colon" };
    }
    for (let at = line; at < colon; at++) {
      if (TOKEN[buffer[at] ?? 0] === 0) {
        return { error: 400, reason: "a header name with bad bytes" };
      }
    }
    let from = colon + 1;
    let to = eol;
    while (from < to && OWS[buffer[from] ?? 0] === 1) from++;
    while (to > from && OWS[buffer[to - 1] ?? 0] === 1) to--;
    // The four headers the server acts on, told apart by the name's length first; any
    // other header is checked (above) and passed over.
    switch (colon - line) {
      case 4:
        if (nameIs(buffer, line, "host")) hostSeen = true;
        break;
      case 6:
        // Several Expect lines are one list: 100-continue anywhere in it is met (node:http
        // tests the joined value against the same word).
        if (nameIs(buffer, line, "expect") && expect !== "continue") {
          expect = hasWord(buffer, from, to, "100-continue") ? "continue" : "unmet";
        }
        break;
      case 10:
        // Tokens, not substrings ("xclosex" asks for nothing); over all Connection lines
        // "close" wins, whatever order they came in (RFC 9110 §7.6.1).
        if (nameIs(buffer, line, "connection")) {
          if (hasToken(buffer, from, to, "close")) closeAsked = true;
          if (hasToken(buffer, from, to, "keep-alive")) keepAliveAsked = true;
        }
        break;
      case 14:
        if (nameIs(buffer, line, "content-length")) {
          // Leading zeros say nothing: only the digits after them are counted. A second
          // Content-Length, even an equal one, is refused, as node:http refuses it.
          let significant = from;
          while (significant < to - 1 && buffer[significant] === 0x30) significant++;
          if (
            !isDigits(buffer, from, to) ||
            to - significant > MAX_LENGTH_DIGITS ||
            lengthSeen !== undefined
          ) {
            return { error: 400, reason: "a bad or repeated Content-Length" };
          }
          lengthSeen = buffer.toString("latin1", significant, to);
          bodyLength = Number(lengthSeen);
        }
        break;
      case 17:
        if (nameIs(buffer, line, "transfer-encoding")) {
          // Only the last coding of the last line says how the body ends; chunked twice is
          // no body a parser can agree on, and node:http refuses it.
          if (encoding === "chunked" || countTokens(buffer, from, to, "chunked") > 1) {
            return { error: 400, reason: "chunked applied twice" };
          }
          encoding = lastTokenIs(buffer, from, to, "chunked") ? "chunked" : "other";
        }
        break;
    }
    line = eol + 2;
  }
  if (encoding !== undefined && lengthSeen !== undefined) {
    return { error: 400, reason: "both Content-Length and Transfer-Encoding" };
  }
  // A body whose last coding is not chunked has no end this server could find (RFC 9112 §6.3).
  if (encoding === "other") {
    return { error: 400, reason: "a Transfer-Encoding whose last coding is not chunked" };
  }
  const chunked = encoding === "chunked";
  const keepAlive = closeAsked ? false : keepAliveAsked || request.http11;
  return {
    method: request.method,
    target: request.target,
    keepAlive: keepAlive && !chunked,
    bodyLength,
    chunked,
    end: headEnd + 4,
    expect: request.http11 ? expect : "none",
    // HTTP/1.1 makes Host mandatory, and node:http refuses a request without one, but with
    // its own 400, after its parser has read the whole head (so after the errors above).
    hostMissing: request.http11 && !hostSeen,
  };
}

/** `findHeadEnd`'s answer for a CR or LF outside a CRLF. */
const BARE_LINE_BREAK = -2;
/** `findHeadEnd`'s answer for a control byte (other than tab) or DEL in the head. */
const CONTROL_BYTE = -3;

/**
 * Where the head's CRLFCRLF starts in `buffer[start, limit)`; -1 if it has not come yet,
 * `BARE_LINE_BREAK` for a CR or LF that is not part of a CRLF. Such a byte is how request
 * smuggling hides a second header or a second request from one parser but not another,
 * so node:http refuses it (400) and so does this server. A CR as the very last byte may
 * still get its LF in the next read: not bare yet. Any other control byte is
 * `CONTROL_BYTE`: this scan sees every byte of the head once, so it checks them here.
 */
function findHeadEnd(buffer: Buffer, start: number, limit: number): number {
  for (let at = start; at < limit; at++) {
    const byte = buffer[at] ?? 0;
    if (CONTROL[byte] === 1) return CONTROL_BYTE;
    if (byte === LF) {
      if (at === start || buffer[at - 1] !== CR) return BARE_LINE_BREAK;
      if (at - start >= 3 && buffer[at - 2] === LF) return at - 3;
    } else if (byte === CR && at + 1 < limit && buffer[at + 1] !== LF) {
      return BARE_LINE_BREAK;
    }
  }
  return -1;
}

/** The request line `buffer[start, end)` split into its three words, or why it is not one. */
function requestLine(
  buffer: Buffer,
  start: number,
  end: number,
): { method: string; target: string; http11: boolean } | string {
  const space1 = indexOfByte(buffer, SP, start, end);
  const space2 = indexOfByte(buffer, SP, space1 + 1, end);
  if (space2 === end || indexOfByte(buffer, SP, space2 + 1, end) !== end) {
    return "not an HTTP request line";
  }
  const method = isGet(buffer, start, space1) ? "GET" : buffer.toString("latin1", start, space1);
  if (!METHODS.has(method) || space2 === space1 + 1) return "not an HTTP request line";
  for (let at = space1 + 1; at < space2; at++) {
    if (TARGET[buffer[at] ?? 0] === 0) return "not an HTTP request line";
  }
  if (method !== "CONNECT" && !isTargetForm(buffer, space1 + 1, space2)) {
    return "a request target that is neither a path, *, nor scheme://…";
  }
  const minor = http1Minor(buffer, space2 + 1, end);
  if (minor !== 0x30 && minor !== 0x31) return "only HTTP/1.0 and HTTP/1.1 are spoken";
  return { method, target: buffer.toString("latin1", space1 + 1, space2), http11: minor === 0x31 };
}

/**
 * Whether `buffer[start, end)` is `GET`: the method of nearly every request, named without
 * making a string of its bytes (a call into C++ for three bytes, on every request).
 */
function isGet(buffer: Buffer, start: number, end: number): boolean {
  return (
    end - start === 3 &&
    buffer[start] === 0x47 &&
    buffer[start + 1] === 0x45 &&
    buffer[start + 2] === 0x54
  );
}

const HTTP_1_DOT = Buffer.from("HTTP/1.", "latin1");

/**
 * Whether `buffer[from, to)` has a target's form as node:http's parser (llhttp) takes it:
 * a path (`/…`), `*`, or letters then `://` (absolute-form). CONNECT's `host:port`
 * (authority-form) is checked apart.
 */
function isTargetForm(buffer: Buffer, from: number, to: number): boolean {
  const first = buffer[from] ?? 0;
  if (first === SLASH || first === STAR) return true;
  let at = from;
  while (at < to && isLetter(buffer[at] ?? 0)) at++;
  return (
    at > from &&
    to - at >= 3 &&
    buffer[at] === COLON &&
    buffer[at + 1] === SLASH &&
    buffer[at + 2] === SLASH
  );
}

function isLetter(byte: number): boolean {
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

/**
 * Where `byte` first occurs in `buffer[from, to)`, or `to`. A loop rather than
 * `buffer.indexOf`, which would search past `to` into bytes of an earlier read, and
 * which costs a call into C++ for spans of a few dozen bytes.
 */
function indexOfByte(buffer: Buffer, byte: number, from: number, to: number): number {
  let at = from;
  while (at < to && buffer[at] !== byte) at++;
  return at;
}

/** If `buffer[start, end)` is `HTTP/1.` and one more byte, that byte (the minor version); else -1. */
function http1Minor(buffer: Buffer, start: number, end: number): number {
  if (end - start !== 8) return -1;
  // Byte by byte: `buffer.compare` validates its five arguments and calls into C++ for 7 bytes.
  for (let i = 0; i < 7; i++) if (buffer[start + i] !== HTTP_1_DOT[i]) return -1;
  return buffer[start + 7] ?? -1;
}

/** Whether the header name at `start` is `lower`, in any case (its length already matched). */
function nameIs(buffer: Buffer, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    // ASCII letters only differ in bit 0x20; the name's bytes are all tchars.
    if (((buffer[start + i] ?? 0) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether the comma-separated list `buffer[from, to)` holds the token `lower`, in any case. */
function hasToken(buffer: Buffer, from: number, to: number, lower: string): boolean {
  for (let at = from; at < to; ) {
    const comma = indexOfByte(buffer, COMMA, at, to);
    if (tokenIs(buffer, at, comma, lower)) return true;
    at = comma + 1;
  }
  return false;
}

/** How many items of the comma-separated list `buffer[from, to)` are the token `lower`, in any case. */
function countTokens(buffer: Buffer, from: number, to: number, lower: string): number {
  let count = 0;
  for (let at = from; at < to; ) {
    const comma = indexOfByte(buffer, COMMA, at, to);
    if (tokenIs(buffer, at, comma, lower)) count++;
    at = comma + 1;
  }
  return count;
}

/** Whether the last item of the comma-separated list `buffer[from, to)` is `lower`, in any case. */
function lastTokenIs(buffer: Buffer, from: number, to: number, lower: string): boolean {
  let comma = to;
  while (comma > from && buffer[comma - 1] !== COMMA) comma--;
  return tokenIs(buffer, comma, to, lower);
}

/** Whether `buffer[from, to)`, without the white space around it, is `lower` in any case. */
function tokenIs(buffer: Buffer, from: number, to: number, lower: string): boolean {
  while (from < to && OWS[buffer[from] ?? 0] === 1) from++;
  while (to > from && OWS[buffer[to - 1] ?? 0] === 1) to--;
  if (to - from !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    if (lowerAscii(buffer[from + i] ?? 0) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Whether `buffer[from, to)` holds `lower`, in any case, with no letter, digit or `_` on
 * either side: node:http's test for 100-continue (`/(?:^|\W)100-continue(?:$|\W)/i`).
 */
function hasWord(buffer: Buffer, from: number, to: number, lower: string): boolean {
  for (let at = from; at + lower.length <= to; at++) {
    if (at > from && isWordByte(buffer[at - 1] ?? 0)) continue;
    const after = at + lower.length;
    if (after < to && isWordByte(buffer[after] ?? 0)) continue;
    let i = 0;
    while (i < lower.length && lowerAscii(buffer[at + i] ?? 0) === lower.charCodeAt(i)) i++;
    if (i === lower.length) return true;
  }
  return false;
}

/** A letter, digit or `_`: what a regular expression's `\w` matches. */
function isWordByte(byte: number): boolean {
  return isLetter(byte) || (byte >= 0x30 && byte <= 0x39) || byte === 0x5f;
}

function lowerAscii(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
}

/** Whether `buffer[from, to)` is one or more ASCII digits. */
function isDigits(buffer: Buffer, from: number, to: number): boolean {
  if (from === to) return false;
  for (let at = from; at < to; at++) {
    const byte = buffer[at] ?? 0;
    if (byte < 0x30 || byte > 0x39) return false;
  }
  return true;
}
