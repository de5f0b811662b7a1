// Imported, not read as the global: Node defines `Buffer` on globalThis as a getter, and a
// getter global takes V8's slow global load on every answer (1 % of the server's profile).
import { Buffer } from "node:buffer";
import {
  ALLOWED_METHODS,
  connectAnswer,
  REASON_PHRASES,
  type Route,
  rawAnswer,
} from "@ch08/delayserver/protocol";

// The answers node:http gives in the delayserver, byte for byte but the Date: the same
// status lines, the same headers in the same order, the same bodies.

let dateSecond = -1;
let dateText = "";
/** A 200's head from its Date on, as bytes, made once a second: kept alive, and closing. */
let okEndKeepAlive = Buffer.alloc(0);
let okEndClose = Buffer.alloc(0);

/** The Date header's value, formatted once a second (node:http caches it the same way). */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
    okEndKeepAlive = Buffer.from(`${fieldsDated(dateText, true)}\r\n`, "latin1");
    okEndClose = Buffer.from(`${fieldsDated(dateText, false)}\r\n`, "latin1");
  }
  return dateText;
}

/** The Date and connection fields node:http adds after a handler's own, without the blank line. */
function connectionFields(keepAlive: boolean): string {
  return fieldsDated(httpDate(), keepAlive);
}

/** `connectionFields` for a given Date value. */
function fieldsDated(date: string, keepAlive: boolean): string {
  return keepAlive
    ? `Date: ${date}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n`
    : `Date: ${date}\r\nConnection: close\r\n`;
}

/** The same fields, then the blank line that ends the head. */
function connectionHeaders(keepAlive: boolean): string {
  return `${connectionFields(keepAlive)}\r\n`;
}

const OK_START = Buffer.from(
  "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ",
  "latin1",
);

/**
 * 200 with the message as the body (none for HEAD). It is every answer the server sends
 * under load, so it is put together as bytes: the parts that change once a second are
 * kept encoded, and an ASCII message (the usual one) is copied without a call into C++.
 */
export function okAnswer(message: string, head: boolean, keepAlive: boolean): Buffer {
  httpDate(); // brings the encoded Date lines up to this second
  const end = keepAlive ? okEndKeepAlive : okEndClose;
  const ascii = isAscii(message);
  const length = ascii ? message.length : Buffer.byteLength(message);
  const digits = String(length);
  const body = head ? 0 : length;
  const out = Buffer.allocUnsafe(OK_START.length + digits.length + 2 + end.length + body);
  out.set(OK_START, 0);
  let at = OK_START.length;
  for (let i = 0; i < digits.length; i++) out[at++] = digits.charCodeAt(i);
  out[at++] = 0x0d;
  out[at++] = 0x0a;
  out.set(end, at);
  at += end.length;
  if (body === 0) return out;
  if (!ascii) {
    out.write(message, at, "utf8");
    return out;
  }
  for (let i = 0; i < length; i++) out[at + i] = message.charCodeAt(i);
  return out;
}

/** Whether every character of `text` is ASCII, so its UTF-8 bytes are its char codes. */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** A 4xx from the router, with the usage line; 405 and 414 close the connection, as node:http's do. */
export function rejectAnswer(
  r: Extract<Route, { kind: "reject" }>,
  head: boolean,
  keepAlive: boolean,
  usage: string,
): { bytes: Buffer; close: boolean } {
  const body = `${r.status} ${REASON_PHRASES[r.status]}: ${r.reason}\n${usage}\n`;
  const close = !keepAlive || r.status === 405 || r.status === 414;
  const allow = r.status === 405 ? `Allow: ${ALLOWED_METHODS}\r\n` : "";
  // The delayserver's handler sets Connection: close itself on a 405 or 414, so node:http
  // writes it among the handler's headers, before its own Date; otherwise it adds both.
  const ending =
    r.status === 405 || r.status === 414
      ? `Connection: close\r\nDate: ${httpDate()}\r\n\r\n`
      : connectionHeaders(!close);
  const text =
    `HTTP/1.1 ${r.status} ${REASON_PHRASES[r.status]}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n${allow}${ending}${head ? "" : body}`;
  return { bytes: Buffer.from(text, "utf8"), close };
}

/** The end of node:http's own bodiless answers: an empty chunked body, or none for HEAD. */
function emptyBody(head: boolean): string {
  return head ? "\r\n" : "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
}

/** What node:http sends at once to an HTTP/1.1 request that says `Expect: 100-continue`. */
export const CONTINUE_ANSWER = Buffer.from("HTTP/1.1 100 Continue\r\n\r\n", "latin1");

/**
 * 417 to an `Expect` other than 100-continue: node:http's own answer, before any handler,
 * so no `#n` line and no count. Its body is empty and chunked (none for HEAD).
 */
export function expectationFailedAnswer(head: boolean, keepAlive: boolean): Buffer {
  return Buffer.from(
    `HTTP/1.1 417 ${REASON_PHRASES[417]}\r\n${connectionFields(keepAlive)}${emptyBody(head)}`,
    "latin1",
  );
}

/**
 * 400 to an HTTP/1.1 request without a Host header: node:http's own answer, before any
 * handler (Connection: close given by node, before its Date; an empty chunked body).
 */
export function noHostAnswer(head: boolean): Buffer {
  return Buffer.from(
    `HTTP/1.1 400 ${REASON_PHRASES[400]}\r\nConnection: close\r\nDate: ${httpDate()}\r\n` +
      emptyBody(head),
    "latin1",
  );
}

/** The delayserver's answer to a CONNECT, which node:http hands to no handler. */
export function connectAnswerBytes(target: string, maxDelayMs: number, usage: string): Buffer {
  return Buffer.from(connectAnswer(target, maxDelayMs, usage), "utf8");
}

/**
 * The answer to bytes that are not a request we can parse (400, or 431 for a huge head),
 * or to a head that did not arrive in time (408); then close.
 */
export function badRequestAnswer(status: 400 | 408 | 431): Buffer {
  return Buffer.from(rawAnswer(status, `${status} ${REASON_PHRASES[status]}\n`), "latin1");
}

/** The answer to a request that arrives while the server stops; then close. */
export function stoppingAnswer(head: boolean): Buffer {
  const body = "503 Service Unavailable: the server is stopping\n";
  return Buffer.from(
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
      `Content-Length: ${body.length}\r\n${connectionHeaders(false)}${head ? "" : body}`,
    "latin1",
  );
}
