import { ResponseError } from "./errors.js";

/** An interim (1xx) response that came before the final one, e.g. `103 Early Hints`. */
export interface InterimResponse {
  /** The status code, 100–199 (never 101: no upgrade is asked for). */
  readonly status: number;
  /** The reason phrase, e.g. `"Early Hints"`. */
  readonly reason: string;
  /** Header names in lower case; a repeated header's values joined by `", "`. */
  readonly headers: ReadonlyMap<string, string>;
}

/** A parsed HTTP/1.x response. */
export interface HttpResponse {
  /** `"HTTP/1.1"` or `"HTTP/1.0"`. */
  readonly version: string;
  /** The status code of the final response, e.g. 200 (never 1xx). */
  readonly status: number;
  /** The reason phrase, e.g. `"OK"`. */
  readonly reason: string;
  /** Header names in lower case; a repeated header's values joined by `", "`. */
  readonly headers: ReadonlyMap<string, string>;
  /** The body, with any chunked framing removed. */
  readonly body: Buffer;
  /** The 1xx responses skipped before the final one, in order of arrival. */
  readonly interim: readonly InterimResponse[];
  /** The whole response as text, as the book's future returns it (interim responses included). */
  readonly text: string;
}

/** The largest response the leaf future accepts unless told otherwise (1 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 1 << 20;

/** The parser's buffer before anything arrived: shared, never written (it has no room). */
const NO_BYTES = Buffer.alloc(0);
const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;
const SP = 0x20;
const HTAB = 0x09;
const STATUS_PREFIX = Buffer.from("HTTP/1.", "latin1");
const STATUS_LINE = /^(HTTP\/1\.[01]) (\d{3})(?: (.*))?$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CHUNK_SIZE = /^[0-9a-fA-F]{1,8}$/;
/** A Content-Length: 1 to 16 digits (a longer one is refused as malformed). */
const CONTENT_LENGTH = /^\d{1,16}$/;
/** A chunk-size line (size and extensions) longer than this is an attack, not a server. */
const MAX_CHUNK_LINE = 4096;

// Where the parser is. Every byte is examined once: each state resumes where the last
// push stopped, so the work is linear in the response however it is split into reads.
const STATUS = 0; // the status line of a (possibly interim) response
const HEADERS = 1; // header lines, until the empty line
const BY_LENGTH = 2; // a Content-Length body
const UNTIL_CLOSE = 3; // a body that ends when the server closes
const CHUNK_SIZE_LINE = 4;
const CHUNK_DATA = 5;
const CHUNK_DATA_END = 6; // the CRLF after a chunk's data
const TRAILERS = 7; // trailer lines after the last chunk, until the empty line
const COMPLETE = 8;
type State =
  | typeof STATUS
  | typeof HEADERS
  | typeof BY_LENGTH
  | typeof UNTIL_CLOSE
  | typeof CHUNK_SIZE_LINE
  | typeof CHUNK_DATA
  | typeof CHUNK_DATA_END
  | typeof TRAILERS
  | typeof COMPLETE;

/**
 * Collects a response read in pieces and says when it is complete.
 *
 * Pieces may split anywhere (inside the status line, a header, a chunk size). Interim
 * 1xx responses are skipped. The framing decides completeness: `Content-Length`, chunked
 * transfer encoding, or — for an HTTP/1.0 reply or one with neither — the end of the
 * stream. Anything that is not such a response is a `ResponseError` as soon as it shows.
 */
export class ResponseParser {
  // None until the first bytes arrive: thousands of requests waiting for their answers
  // hold no buffer; the first is the size of the first piece (a delayserver answer, ~150
  // bytes, comes in one), and it doubles from there.
  #bytes: Buffer = NO_BYTES;
  #length = 0;
  readonly #maxBytes: number;

  #state: State = STATUS;
  /** The next byte not yet examined. */
  #at = 0;
  /** Where the line being read starts (status, header, chunk size, trailer). */
  #lineStart = 0;

  #version = "";
  #status = 0;
  #reason = "";
  #headers = new Map<string, string>();
  /** Interim 1xx responses skipped so far; none until there is one (there rarely is). */
  #interim: InterimResponse[] | undefined;
  #bodyStart = 0;
  /** The body's length by Content-Length, or what is left of the current chunk. */
  #remaining = 0;
  // The de-chunked body; a Content-Length or close-delimited body is sliced out at the end.
  #chunked: Buffer | undefined;
  #chunkedLength = 0;
  /** Where the final response ends, once complete. */
  #end = 0;

  /** @param maxBytes the largest response accepted; more is a `TOO_LARGE` error. */
  constructor(maxBytes = DEFAULT_MAX_RESPONSE_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** How many bytes have been received. */
  get received(): number {
    return this.#length;
  }

  /** Appends bytes read from the socket; returns true once the response is complete. */
  push(chunk: Uint8Array): boolean {
    if (this.#complete()) {
      if (chunk.length > 0) this.#refuseTrailing(this.#length, chunk);
      return true;
    }
    if (this.#length + chunk.length > this.#maxBytes) {
      throw new ResponseError(
        "TOO_LARGE",
        `the response is larger than ${this.#maxBytes} bytes; ${RAISE_CAP}`,
      );
    }
    this.#bytes = grow(this.#bytes, this.#length, this.#length + chunk.length, this.#maxBytes);
    this.#bytes.set(chunk, this.#length);
    this.#length += chunk.length;
    this.#advance();
    if (this.#complete() && this.#length > this.#end) {
      this.#refuseTrailing(this.#end, this.#bytes.subarray(this.#end, this.#length));
    }
    return this.#complete();
  }

  /** The parsed response; call it when `push` said complete or at end of stream. */
  finish(): HttpResponse {
    if (this.#state === UNTIL_CLOSE) {
      this.#end = this.#length;
      this.#state = COMPLETE;
    }
    if (this.#state !== COMPLETE) throw this.#truncated();
    const body =
      this.#chunked === undefined
        ? Buffer.from(this.#bytes.subarray(this.#bodyStart, this.#end))
        : Buffer.from(this.#chunked.subarray(0, this.#chunkedLength));
    return {
      version: this.#version,
      status: this.#status,
      reason: this.#reason,
      headers: this.#headers,
      body,
      interim: this.#interim ?? [],
      text: this.#bytes.toString("utf8", 0, this.#length),
    };
  }

  /** Runs the state machine over the bytes not examined yet. */
  #advance(): void {
    for (;;) {
      switch (this.#state) {
        case STATUS:
        case HEADERS: {
          const content = this.#nextLine("header");
          if (content < 0) {
            if (this.#state === STATUS) this.#checkStatusPrefix();
            return;
          }
          if (this.#state === STATUS) this.#parseStatus(content);
          else if (content === this.#lineStart) this.#endOfHead();
          else this.#parseHeader(content);
          this.#lineStart = this.#at;
          break;
        }
        case BY_LENGTH:
          if (this.#length - this.#bodyStart < this.#remaining) {
            this.#at = this.#length;
            return;
          }
          this.#completeAt(this.#bodyStart + this.#remaining);
          break;
        case UNTIL_CLOSE:
          this.#at = this.#length;
          return;
        case CHUNK_SIZE_LINE: {
          const content = this.#nextLine("chunk-size");
          if (content < 0) {
            if (this.#at - this.#lineStart > MAX_CHUNK_LINE) {
              throw new ResponseError(
                "MALFORMED",
                `a chunk-size line longer than ${MAX_CHUNK_LINE} bytes: ${preview(this.#bytes, this.#lineStart, this.#at)}`,
              );
            }
            return;
          }
          const line = this.#bytes.toString("latin1", this.#lineStart, content);
          const sizeText = (line.split(";")[0] ?? "").replace(/^[ \t]+|[ \t]+$/g, "");
          if (!CHUNK_SIZE.test(sizeText)) {
            throw new ResponseError(
              "MALFORMED",
              `invalid chunk size: ${JSON.stringify(sizeText.slice(0, 20))}`,
            );
          }
          this.#remaining = Number.parseInt(sizeText, 16);
          this.#lineStart = this.#at;
          this.#state = this.#remaining === 0 ? TRAILERS : CHUNK_DATA;
          break;
        }
        case CHUNK_DATA: {
          const take = Math.min(this.#remaining, this.#length - this.#at);
          if (take === 0) return;
          this.#appendBody(this.#at, this.#at + take);
          this.#at += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#state = CHUNK_DATA_END;
          break;
        }
        case CHUNK_DATA_END:
          if (this.#length - this.#at < 2) {
            if (this.#length > this.#at && this.#bytes[this.#at] !== CR) this.#noCrlfAfterChunk();
            return;
          }
          if (this.#bytes[this.#at] !== CR || this.#bytes[this.#at + 1] !== LF) {
            this.#noCrlfAfterChunk();
          }
          this.#at += 2;
          this.#lineStart = this.#at;
          this.#state = CHUNK_SIZE_LINE;
          break;
        case TRAILERS: {
          const content = this.#nextLine("trailer");
          if (content < 0) return;
          // Trailer fields are checked as header fields are, then dropped: nothing here uses them.
          if (content === this.#lineStart) this.#completeAt(this.#at);
          else this.#parseHeader(content, false);
          this.#lineStart = this.#at;
          break;
        }
        case COMPLETE:
          return;
      }
    }
  }

  /**
   * Finds the end of the line that started at `#lineStart`, scanning only bytes not
   * scanned before: the index of its CR (the line's content ends there), with `#at` moved
   * past the LF; -1 if the line has not ended yet. A bare LF is refused.
   */
  #nextLine(what: string): number {
    // A loop, not `indexOf` on a subarray: a line is a few dozen bytes, and a subarray per
    // line was a typed array allocated for each header of every response.
    const bytes = this.#bytes;
    let lf = -1;
    for (let i = this.#at; i < this.#length; i++) {
      if (bytes[i] === LF) {
        lf = i;
        break;
      }
    }
    if (lf < 0) {
      this.#at = this.#length;
      return -1;
    }
    if (lf === this.#lineStart || this.#bytes[lf - 1] !== CR) {
      const kind = this.#state === STATUS ? "status" : what;
      // A line that is no status line at all says so first: that is what went wrong.
      if (this.#state === STATUS) this.#parseStatus(lf);
      throw new ResponseError(
        "MALFORMED",
        `a ${kind} line ends in a bare LF where HTTP requires CRLF ` +
          `(an LF-only reply?): ${preview(this.#bytes, this.#lineStart, lf + 1)}`,
      );
    }
    this.#at = lf + 1;
    return lf - 1;
  }

  /** Refuses a reply that cannot become a status line, without waiting for its end. */
  #checkStatusPrefix(): void {
    const seen = Math.min(this.#length - this.#lineStart, STATUS_PREFIX.length);
    if (
      this.#bytes.compare(STATUS_PREFIX, 0, seen, this.#lineStart, this.#lineStart + seen) !== 0
    ) {
      throw new ResponseError(
        "MALFORMED",
        `not an HTTP/1.x response: it begins ${preview(this.#bytes, this.#lineStart, this.#length)}`,
      );
    }
  }

  #parseStatus(contentEnd: number): void {
    const line = this.#bytes.toString("latin1", this.#lineStart, contentEnd);
    const match = STATUS_LINE.exec(line);
    if (match === null) {
      throw new ResponseError(
        "MALFORMED",
        `not an HTTP/1.x status line: ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    const status = Number(match[2]);
    // 000–099 read as "below 200" would pass for an interim response and swallow the
    // final one's head; 600 and over are no status at all.
    if (status < 100 || status > 599) {
      throw new ResponseError(
        "MALFORMED",
        `status ${match[2]} is not an HTTP status code (they run from 100 to 599): ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    const reason = match[3] ?? "";
    if (hasControl(reason)) {
      throw new ResponseError(
        "MALFORMED",
        `a control character in the status line's reason phrase: ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    this.#version = match[1] ?? "";
    this.#status = status;
    this.#reason = reason;
    this.#state = HEADERS;
  }

  /** A header line: checked, then kept in `#headers` (a trailer line, `keep` false: checked only). */
  #parseHeader(contentEnd: number, keep = true): void {
    // Name and value are cut from the bytes, the value without the spaces around it: two
    // strings a header, where cutting them from a string of the whole line made five.
    const bytes = this.#bytes;
    const start = this.#lineStart;
    let colon = start;
    while (colon < contentEnd && bytes[colon] !== COLON) colon++;
    let from = colon + 1;
    let to = contentEnd;
    while (from < to && (bytes[from] === SP || bytes[from] === HTAB)) from++;
    while (to > from && (bytes[to - 1] === SP || bytes[to - 1] === HTAB)) to--;
    const name = colon < contentEnd ? bytes.toString("latin1", start, colon) : "";
    const value = colon < contentEnd ? bytes.toString("latin1", from, to) : "";
    if (!HEADER_NAME.test(name) || hasControl(value)) {
      const line = bytes.toString("latin1", start, contentEnd);
      throw new ResponseError(
        "MALFORMED",
        `malformed ${keep ? "header" : "trailer"} line: ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    if (!keep) return;
    const key = name.toLowerCase();
    const previous = this.#headers.get(key);
    this.#headers.set(key, previous === undefined ? value : `${previous}, ${value}`);
  }

  /** The empty line after the headers: skip an interim response, or choose the framing. */
  #endOfHead(): void {
    const status = this.#status;
    if (status === 101) {
      throw new ResponseError(
        "MALFORMED",
        "the server answered 101 Switching Protocols, but the request asked for no upgrade",
      );
    }
    if (status < 200) {
      this.#interim ??= [];
      this.#interim.push({ status, reason: this.#reason, headers: this.#headers });
      this.#headers = new Map(); // the interim response keeps its own
      this.#state = STATUS;
      return;
    }
    this.#bodyStart = this.#at;
    if (status === 204 || status === 304) {
      this.#completeAt(this.#at);
      return;
    }
    const encoding = this.#headers.get("transfer-encoding");
    const contentLength = this.#headers.get("content-length");
    if (encoding !== undefined) {
      this.#checkTransferEncoding(encoding, contentLength);
      this.#chunked = Buffer.allocUnsafe(0);
      this.#state = CHUNK_SIZE_LINE;
      return;
    }
    if (contentLength === undefined) {
      this.#state = UNTIL_CLOSE;
      return;
    }
    const length = contentLengthText(contentLength);
    if (length === undefined) {
      throw new ResponseError(
        "MALFORMED",
        `invalid Content-Length: ${JSON.stringify(contentLength.slice(0, 40))}`,
      );
    }
    const wanted = Number(length);
    if (this.#bodyStart + wanted > this.#maxBytes) {
      throw new ResponseError(
        "TOO_LARGE",
        `the response is larger than ${this.#maxBytes} bytes (Content-Length: ${length}); ${RAISE_CAP}`,
      );
    }
    this.#remaining = wanted;
    this.#state = BY_LENGTH;
  }

  /**
   * Refuses framing that a smuggled or faulty reply would use (RFC 9112 §6.1 and §6.3):
   * Transfer-Encoding in an HTTP/1.0 reply, or beside a Content-Length — two servers
   * could cut the same bytes into different responses — and any coding but chunked
   * alone, which this client would hand on still encoded, as if it were the body.
   */
  #checkTransferEncoding(encoding: string, contentLength: string | undefined): void {
    if (this.#version === "HTTP/1.0") {
      throw new ResponseError(
        "MALFORMED",
        `an HTTP/1.0 reply with Transfer-Encoding: ${encoding}: HTTP/1.0 has no transfer codings, so its framing is faulty`,
      );
    }
    if (contentLength !== undefined) {
      throw new ResponseError(
        "MALFORMED",
        `both Transfer-Encoding: ${encoding} and Content-Length: ${contentLength}: the reply's end is ambiguous, the mark of a smuggled response`,
      );
    }
    const codings = encoding.toLowerCase().split(",");
    if (codings.length !== 1 || codings[0]?.trim() !== "chunked") {
      const last = codings.at(-1)?.trim();
      throw new ResponseError(
        "MALFORMED",
        last === "chunked"
          ? `unsupported Transfer-Encoding: ${encoding}: this client removes the chunked framing only and cannot decode the rest`
          : `unsupported Transfer-Encoding: ${encoding}`,
      );
    }
  }

  #appendBody(from: number, to: number): void {
    const size = this.#chunkedLength + (to - from);
    this.#chunked = grow(
      this.#chunked ?? Buffer.allocUnsafe(0),
      this.#chunkedLength,
      size,
      this.#maxBytes,
    );
    this.#bytes.copy(this.#chunked, this.#chunkedLength, from, to);
    this.#chunkedLength = size;
  }

  #completeAt(end: number): void {
    this.#end = end;
    this.#at = end;
    this.#state = COMPLETE;
  }

  // A method, not a field test: TypeScript would narrow the field across #advance().
  #complete(): boolean {
    return this.#state === COMPLETE;
  }

  #noCrlfAfterChunk(): never {
    throw new ResponseError(
      "MALFORMED",
      `a chunk is not followed by CRLF: ${preview(this.#bytes, this.#at, this.#length)} came after its data`,
    );
  }

  /** Bytes past the end the framing gave: refused, so they never pass for part of the body. */
  #refuseTrailing(end: number, extra: Uint8Array): never {
    const extraBytes = Buffer.from(extra.buffer, extra.byteOffset, extra.length);
    throw new ResponseError(
      "MALFORMED",
      `${extra.length} bytes arrived after the end of the response (at byte ${end}, ` +
        `where its ${this.#framing()} ends it): ${preview(extraBytes, 0, extraBytes.length)}`,
    );
  }

  #framing(): string {
    if (this.#chunked !== undefined) return "chunked body";
    if (this.#status === 204 || this.#status === 304) return `status ${this.#status} (no body)`;
    return `Content-Length: ${this.#end - this.#bodyStart}`;
  }

  /** What to say when the stream ended before the response did. */
  #truncated(): ResponseError {
    const length = this.#length;
    const arrived = preview(this.#bytes, 0, length);
    if (length === 0) {
      return new ResponseError("TRUNCATED", "the server closed the connection without answering");
    }
    const last = this.#interim?.at(-1);
    if (this.#state === STATUS && last !== undefined && this.#lineStart === length) {
      return new ResponseError(
        "TRUNCATED",
        `the server closed the connection after an interim ${last.status} ${last.reason} response, before the final one`,
      );
    }
    if (this.#state === STATUS) {
      return new ResponseError(
        "TRUNCATED",
        `the response ended inside its status line after ${length} bytes: ${arrived}`,
      );
    }
    if (this.#state === HEADERS) {
      return new ResponseError(
        "TRUNCATED",
        `the response ended inside its headers after ${length} bytes: ${arrived}`,
      );
    }
    const got =
      this.#chunked === undefined
        ? `${length - this.#bodyStart} of its Content-Length: ${this.#remaining} body bytes arrived`
        : `${this.#chunkedLength} bytes of chunked body arrived, without the last chunk`;
    return new ResponseError(
      "TRUNCATED",
      `the response body was cut short after ${length} bytes (${got})`,
    );
  }
}

/**
 * Whether `text` holds a control character, which RFC 9110 allows in no field value and
 * no reason phrase (HTAB aside): CR and LF would split the line, and ESC would reach the
 * terminal of a program that prints the response (a clear-screen hidden in a header).
 */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== HTAB) || c === 0x7f) return true;
  }
  return false;
}

/** What a TOO_LARGE error advises. */
const RAISE_CAP =
  "if that is expected, give HttpGetFuture a larger maxResponseBytes (the stages' Http.get keeps the default)";

/**
 * The digits of a Content-Length, or undefined if it is not one. A repeated header
 * arrives joined ("5, 5"): the same value each time is one length (RFC 9110 §8.6).
 */
function contentLengthText(value: string): string | undefined {
  if (CONTENT_LENGTH.test(value)) return value;
  const values = value.split(",").map((part) => part.trim());
  const first = values[0] ?? "";
  return CONTENT_LENGTH.test(first) && values.every((part) => part === first) ? first : undefined;
}

/** `buffer` with room for `size` bytes (its first `used` kept), doubling but never past `cap`. */
function grow(buffer: Buffer, used: number, size: number, cap: number): Buffer {
  if (size <= buffer.length) return buffer;
  const grown = Buffer.allocUnsafe(
    Math.min(Math.max(size, buffer.length * 2), Math.max(cap, size)),
  );
  buffer.copy(grown, 0, 0, used);
  return grown;
}

/** Up to 80 bytes as a JSON string, so CR, LF and binary show as escapes. */
function preview(bytes: Buffer, from: number, to: number): string {
  const shown = JSON.stringify(bytes.toString("latin1", from, Math.min(to, from + 80)));
  return to - from > 80 ? `${shown}… (${to - from} bytes)` : shown;
}
