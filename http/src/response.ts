import { ResponseError } from "./errors.js";

/** A parsed HTTP/1.x response. */
export interface HttpResponse {
  /** `"HTTP/1.1"` or `"HTTP/1.0"`. */
  readonly version: string;
  /** The status code, e.g. 200. */
  readonly status: number;
  /** The reason phrase, e.g. `"OK"`. */
  readonly reason: string;
  /** Header names in lower case; a repeated header's values joined by `", "`. */
  readonly headers: ReadonlyMap<string, string>;
  /** The body, with any chunked framing removed. */
  readonly body: Buffer;
  /** The whole response as text, as the book's future returns it. */
  readonly text: string;
}

/** The largest response the leaf future accepts unless told otherwise (1 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 1 << 20;

const HEADER_END = Buffer.from("\r\n\r\n");
const CRLF = Buffer.from("\r\n");
const STATUS_LINE = /^(HTTP\/1\.[01]) (\d{3})(?: (.*))?$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

interface Head {
  version: string;
  status: number;
  reason: string;
  headers: Map<string, string>;
  bodyStart: number;
}

/**
 * Collects a response read in pieces and says when it is complete.
 *
 * Pieces may split anywhere (inside the status line, a header, a chunk size). The
 * framing decides completeness: `Content-Length`, chunked transfer encoding, or — for
 * an HTTP/1.0 reply or one with neither — the end of the stream.
 */
export class ResponseParser {
  // Small enough to come from Node's shared pool (a delayserver answer is ~150 bytes).
  private bytes = Buffer.allocUnsafe(1024);
  private length = 0;
  private head: Head | undefined;
  private body: Buffer | undefined;

  /** @param maxBytes the largest response accepted; more is a `TOO_LARGE` error. */
  constructor(private readonly maxBytes = DEFAULT_MAX_RESPONSE_BYTES) {}

  /** How many bytes have been received. */
  get received(): number {
    return this.length;
  }

  /** Appends bytes read from the socket; returns true once the response is complete. */
  push(chunk: Uint8Array): boolean {
    if (this.length + chunk.length > this.maxBytes) {
      throw new ResponseError(
        "TOO_LARGE",
        `the response is larger than ${this.maxBytes} bytes; raise maxResponseBytes if that is expected`,
      );
    }
    this.reserve(this.length + chunk.length);
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
    return this.tryComplete();
  }

  /** The parsed response; call it when `push` said complete or at end of stream. */
  finish(): HttpResponse {
    const head = this.head ?? this.parseHead();
    if (head === undefined) {
      throw new ResponseError(
        "TRUNCATED",
        this.length === 0
          ? "the server closed the connection without answering"
          : `the response ended inside its headers after ${this.length} bytes`,
      );
    }
    const body = this.body ?? this.completeBody(head, true);
    if (body === undefined) {
      throw new ResponseError(
        "TRUNCATED",
        `the response body was cut short after ${this.length} bytes`,
      );
    }
    return {
      version: head.version,
      status: head.status,
      reason: head.reason,
      headers: head.headers,
      body,
      text: this.bytes.toString("utf8", 0, this.length),
    };
  }

  private tryComplete(): boolean {
    if (this.body !== undefined) return true;
    this.head ??= this.parseHead();
    if (this.head === undefined) return false;
    this.body = this.completeBody(this.head, false);
    return this.body !== undefined;
  }

  private reserve(size: number): void {
    if (size <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(size, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }

  private parseHead(): Head | undefined {
    const end = this.bytes.subarray(0, this.length).indexOf(HEADER_END);
    if (end < 0) return undefined;
    const lines = this.bytes.toString("latin1", 0, end).split("\r\n");
    const statusLine = lines[0] ?? "";
    const match = STATUS_LINE.exec(statusLine);
    if (match === null) {
      throw new ResponseError(
        "MALFORMED",
        `not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 80))}`,
      );
    }
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      const name = colon > 0 ? line.slice(0, colon) : "";
      if (!HEADER_NAME.test(name)) {
        throw new ResponseError(
          "MALFORMED",
          `malformed header line: ${JSON.stringify(line.slice(0, 80))}`,
        );
      }
      const key = name.toLowerCase();
      const value = line.slice(colon + 1).trim();
      const previous = headers.get(key);
      headers.set(key, previous === undefined ? value : `${previous}, ${value}`);
    }
    return {
      version: match[1] ?? "",
      status: Number(match[2]),
      reason: match[3] ?? "",
      headers,
      bodyStart: end + HEADER_END.length,
    };
  }

  /** The body if the framing says it is all here (`atEnd`: the stream has ended). */
  private completeBody(head: Head, atEnd: boolean): Buffer | undefined {
    const available = this.bytes.subarray(head.bodyStart, this.length);
    if (head.status < 200 || head.status === 204 || head.status === 304) {
      return Buffer.alloc(0);
    }
    const encoding = head.headers.get("transfer-encoding");
    if (encoding !== undefined) {
      if (encoding.toLowerCase().split(",").pop()?.trim() !== "chunked") {
        throw new ResponseError("MALFORMED", `unsupported Transfer-Encoding: ${encoding}`);
      }
      return decodeChunked(available);
    }
    const contentLength = head.headers.get("content-length");
    if (contentLength !== undefined) {
      if (!/^\d+$/.test(contentLength)) {
        throw new ResponseError(
          "MALFORMED",
          `invalid Content-Length: ${JSON.stringify(contentLength)}`,
        );
      }
      const wanted = Number(contentLength);
      return available.length >= wanted ? Buffer.from(available.subarray(0, wanted)) : undefined;
    }
    // Neither framing: the body is whatever arrives before the server closes.
    return atEnd ? Buffer.from(available) : undefined;
  }
}

/** Decodes a chunked body; `undefined` while the last chunk has not arrived yet. */
function decodeChunked(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf(CRLF, at);
    if (lineEnd < 0) return undefined;
    const sizeText = data.toString("latin1", at, lineEnd).split(";")[0]?.trim() ?? "";
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) {
      throw new ResponseError(
        "MALFORMED",
        `invalid chunk size: ${JSON.stringify(sizeText.slice(0, 20))}`,
      );
    }
    const size = Number.parseInt(sizeText, 16);
    at = lineEnd + CRLF.length;
    if (size === 0) {
      // Trailer fields, then an empty line.
      for (;;) {
        const trailerEnd = data.indexOf(CRLF, at);
        if (trailerEnd < 0) return undefined;
        if (trailerEnd === at) return Buffer.concat(parts);
        at = trailerEnd + CRLF.length;
      }
    }
    if (data.length < at + size + CRLF.length) return undefined;
    if (data[at + size] !== 0x0d || data[at + size + 1] !== 0x0a) {
      throw new ResponseError("MALFORMED", "a chunk is not followed by CRLF");
    }
    parts.push(data.subarray(at, at + size));
    at += size + CRLF.length;
  }
}
