import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HttpError, type HttpResponse, ResponseParser } from "../dist/index.js";

// Property-based tests: fast-check generates valid responses (every framing, 1xx before
// them) and arbitrary bytes, then cuts them into reads at random points. A failing case
// is shrunk to a small one and printed with its seed, so it can be replayed.

/** A fixed number of runs per property, so the suite stays fast and its cost known. */
const RUNS = 300;

type Header = readonly [string, string];

type Framing =
  | { readonly kind: "length" }
  | { readonly kind: "close" }
  | { readonly kind: "none" } // 204 and 304: no body whatever the headers say
  | {
      readonly kind: "chunked";
      readonly cuts: readonly number[];
      readonly upperCase: boolean;
      readonly extension: boolean;
      readonly trailers: readonly Header[];
    };

interface Spec {
  readonly interim: readonly { readonly status: number; readonly headers: readonly Header[] }[];
  readonly version: "HTTP/1.1" | "HTTP/1.0";
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly Header[];
  readonly framing: Framing;
  readonly body: Uint8Array;
}

const header: fc.Arbitrary<Header> = fc.tuple(
  fc.stringMatching(/^X-[A-Za-z0-9-]{1,10}$/),
  fc.oneof(fc.constant(""), fc.stringMatching(/^[!-~]([ -~]{0,20}[!-~])?$/)),
);

const spec: fc.Arbitrary<Spec> = fc
  .record({
    interim: fc.array(
      fc.record({
        status: fc.constantFrom(100, 102, 103),
        headers: fc.array(header, { maxLength: 3 }),
      }),
      { maxLength: 3 },
    ),
    version: fc.constantFrom("HTTP/1.1" as const, "HTTP/1.0" as const),
    status: fc.oneof(fc.integer({ min: 200, max: 599 }), fc.constantFrom(200, 204, 304, 404)),
    reason: fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,15}$|^$/),
    headers: fc.array(header, { maxLength: 5 }),
    framing: fc.oneof(
      fc.constant({ kind: "length" as const }),
      fc.constant({ kind: "close" as const }),
      fc.record({
        kind: fc.constant("chunked" as const),
        cuts: fc.array(fc.nat(), { maxLength: 12 }),
        upperCase: fc.boolean(),
        extension: fc.boolean(),
        trailers: fc.array(header, { maxLength: 3 }),
      }),
    ),
    body: fc.uint8Array({ maxLength: 400 }),
  })
  .map((s): Spec => {
    if (s.status === 204 || s.status === 304) {
      return { ...s, framing: { kind: "none" }, body: new Uint8Array(0) };
    }
    // HTTP/1.0 has no transfer codings: a chunked reply is an HTTP/1.1 one (RFC 9112 §6.1).
    return s.framing.kind === "chunked" ? { ...s, version: "HTTP/1.1" } : s;
  });

/** Sorted distinct cut points strictly inside `[0, length)`. */
function cutPoints(cuts: readonly number[], length: number): number[] {
  if (length <= 1) return [];
  return [...new Set(cuts.map((c) => 1 + (c % (length - 1))))].sort((a, b) => a - b);
}

function headLines(headers: readonly Header[]): string {
  return headers.map(([name, value]) => `${name}: ${value}\r\n`).join("");
}

/** The bytes a server would send for `s`. */
function encode(s: Spec): Buffer {
  const parts: Buffer[] = [];
  const text = (t: string) => parts.push(Buffer.from(t, "latin1"));
  for (const i of s.interim) text(`HTTP/1.1 ${i.status} Interim\r\n${headLines(i.headers)}\r\n`);
  text(`${s.version} ${s.status} ${s.reason}\r\n${headLines(s.headers)}`);
  const body = Buffer.from(s.body);
  switch (s.framing.kind) {
    case "none":
      text("\r\n");
      break;
    case "length":
      text(`Content-Length: ${body.length}\r\n\r\n`);
      parts.push(body);
      break;
    case "close":
      text("\r\n");
      parts.push(body);
      break;
    case "chunked": {
      const { upperCase, extension, trailers } = s.framing;
      text("Transfer-Encoding: chunked\r\n\r\n");
      const bounds = [0, ...cutPoints(s.framing.cuts, body.length + 1), body.length];
      for (let i = 1; i < bounds.length; i++) {
        const chunk = body.subarray(bounds[i - 1], bounds[i]);
        if (chunk.length === 0) continue;
        const size = chunk.length.toString(16);
        text(`${upperCase ? size.toUpperCase() : size}${extension ? ";x=1" : ""}\r\n`);
        parts.push(chunk);
        text("\r\n");
      }
      text(`0\r\n${headLines(trailers)}\r\n`);
      break;
    }
  }
  return Buffer.concat(parts);
}

/** What the parser must give for `s`: the final head, the body and the 1xx statuses. */
function expected(s: Spec) {
  const headers = new Map<string, string>();
  for (const [name, value] of s.headers) {
    const key = name.toLowerCase();
    const previous = headers.get(key);
    headers.set(key, previous === undefined ? value : `${previous}, ${value}`);
  }
  if (s.framing.kind === "length") headers.set("content-length", String(s.body.length));
  if (s.framing.kind === "chunked") headers.set("transfer-encoding", "chunked");
  return {
    version: s.version,
    status: s.status,
    reason: s.reason,
    headers: Object.fromEntries(headers),
    body: Buffer.from(s.body).toString("hex"),
    interim: s.interim.map((i) => i.status),
  };
}

function summary(response: HttpResponse) {
  return {
    version: response.version,
    status: response.status,
    reason: response.reason,
    headers: Object.fromEntries(response.headers),
    body: response.body.toString("hex"),
    interim: response.interim.map((i) => i.status),
  };
}

/** `bytes` cut at `cuts` into consecutive, non-empty reads. */
function pieces(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const bounds = [0, ...cutPoints(cuts, bytes.length), bytes.length];
  const out: Buffer[] = [];
  for (let i = 1; i < bounds.length; i++) out.push(bytes.subarray(bounds[i - 1], bounds[i]));
  return out.filter((p) => p.length > 0);
}

describe("ResponseParser, property: a valid response parses the same however it is read", () => {
  it("every split into reads gives the expected response, complete exactly at the last read", () => {
    fc.assert(
      fc.property(spec, fc.array(fc.nat(), { maxLength: 40 }), (s, cuts) => {
        const bytes = encode(s);
        const parser = new ResponseParser();
        const reads = pieces(bytes, cuts);
        const completeAt = reads.map((read) => parser.push(read));
        // A response framed by its length or chunks is complete on its last byte, not
        // before; one delimited by the close never is until the stream ends.
        const framed = s.framing.kind !== "close";
        expect(completeAt).toEqual(reads.map((_, i) => framed && i === reads.length - 1));
        const response = parser.finish();
        expect(summary(response)).toEqual(expected(s));
        expect(response.text).toBe(bytes.toString("utf8"));
        expect(parser.received).toBe(bytes.length);
      }),
      { numRuns: RUNS },
    );
  });
});

/** Random edits of a valid response: the inputs most likely to find a parser's corners. */
const mutated: fc.Arbitrary<Buffer> = fc
  .tuple(
    spec,
    fc.array(
      fc.record({
        at: fc.nat(),
        op: fc.constantFrom("flip", "insert", "delete", "crlf-to-lf"),
        byte: fc.integer({ min: 0, max: 255 }),
        length: fc.integer({ min: 1, max: 8 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([s, edits]) => {
    let bytes = encode(s);
    for (const edit of edits) {
      const at = bytes.length === 0 ? 0 : edit.at % bytes.length;
      const before = bytes.subarray(0, at);
      if (edit.op === "flip") {
        const copy = Buffer.from(bytes);
        copy[at] = edit.byte;
        bytes = copy;
      } else if (edit.op === "insert") {
        bytes = Buffer.concat([before, Buffer.alloc(edit.length, edit.byte), bytes.subarray(at)]);
      } else if (edit.op === "delete") {
        bytes = Buffer.concat([before, bytes.subarray(at + edit.length)]);
      } else {
        const cr = bytes.indexOf("\r\n", at);
        if (cr >= 0) bytes = Buffer.concat([bytes.subarray(0, cr), bytes.subarray(cr + 1)]);
      }
    }
    return bytes;
  });

describe("ResponseParser, property: any bytes end in a response or a typed HttpError", () => {
  it("arbitrary and mutated bytes, split anywhere: never another exception, never past the cap", () => {
    const cap = 2048;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b)),
          fc
            .uint8Array({ maxLength: 200 })
            .map((b) => Buffer.concat([Buffer.from("HTTP/1.1 "), b])),
          mutated,
        ),
        fc.array(fc.nat(), { maxLength: 40 }),
        (bytes, cuts) => {
          const parser = new ResponseParser(cap);
          let complete = false;
          let outcome: HttpResponse | unknown;
          try {
            for (const read of pieces(bytes, cuts)) complete = parser.push(read);
            outcome = parser.finish();
          } catch (error) {
            outcome = error;
          }
          // Memory: nothing past the cap is ever taken in.
          expect(parser.received).toBeLessThanOrEqual(cap);
          if (outcome instanceof Error) {
            expect(outcome).toBeInstanceOf(HttpError);
            expect((outcome as HttpError).message.length).toBeLessThan(400);
            return;
          }
          // Accepted: then every byte went into it, and a "complete" was telling the truth.
          const response = outcome as HttpResponse;
          expect(response.text).toBe(bytes.toString("utf8"));
          expect(response.status).toBeGreaterThanOrEqual(200);
          if (complete) expect(parser.received).toBe(bytes.length);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });
});
