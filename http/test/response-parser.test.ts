import { describe, expect, it } from "vitest";
import { ResponseError, ResponseParser } from "../dist/index.js";

const bytes = (text: string): Buffer => Buffer.from(text, "latin1");

/** Pushes `text` in pieces of `size` bytes; returns after which piece it said complete (-1: never). */
function pushInPieces(parser: ResponseParser, text: string, size: number): number {
  const all = bytes(text);
  for (let at = 0, piece = 0; at < all.length; at += size, piece++) {
    if (parser.push(all.subarray(at, at + size))) return piece;
  }
  return -1;
}

function errorOf(run: () => unknown): ResponseError {
  try {
    run();
  } catch (error) {
    if (error instanceof ResponseError) return error;
    throw error;
  }
  throw new Error("expected a ResponseError, got none");
}

describe("ResponseParser: framing", () => {
  it("content-length: complete exactly when the body is all there", () => {
    const parser = new ResponseParser();
    expect(parser.push(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHel"))).toBe(false);
    expect(parser.push(bytes("lo"))).toBe(true);
    const response = parser.finish();
    expect(response.version).toBe("HTTP/1.1");
    expect(response.status).toBe(200);
    expect(response.reason).toBe("OK");
    expect(response.headers.get("content-length")).toBe("5");
    expect(response.body.toString()).toBe("Hello");
    expect(response.text).toBe("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello");
    expect(parser.received).toBe(response.text.length);
  });

  it("content-length 0 is complete at the end of the headers", () => {
    const parser = new ResponseParser();
    expect(parser.push(bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))).toBe(true);
    expect(parser.finish().body.length).toBe(0);
  });

  it("chunked: decodes the chunks, including sizes with extensions", () => {
    const parser = new ResponseParser();
    const text =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "5\r\nHello\r\nA;name=value\r\n, chunked!\r\n0\r\n\r\n";
    expect(parser.push(bytes(text))).toBe(true);
    expect(parser.finish().body.toString()).toBe("Hello, chunked!");
  });

  it("chunked: a chunk size split across pushes (every split point, byte by byte)", () => {
    const text =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "1a\r\nabcdefghijklmnopqrstuvwxyz\r\n3\r\n123\r\n0\r\n\r\n";
    const whole = bytes(text);
    for (let split = 1; split < whole.length; split++) {
      const parser = new ResponseParser();
      expect(parser.push(whole.subarray(0, split))).toBe(false);
      expect(parser.push(whole.subarray(split))).toBe(true);
      expect(parser.finish().body.toString()).toBe("abcdefghijklmnopqrstuvwxyz123");
    }
    const parser = new ResponseParser();
    expect(pushInPieces(parser, text, 1)).toBe(whole.length - 1);
    expect(parser.finish().body.toString()).toBe("abcdefghijklmnopqrstuvwxyz123");
  });

  it("chunked: trailers are skipped and the response ends at the empty line after them", () => {
    const parser = new ResponseParser();
    const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    expect(parser.push(bytes(`${head}2\r\nok\r\n0\r\nX-Checksum: abc\r\n`))).toBe(false);
    expect(parser.push(bytes("X-More: 1\r\n"))).toBe(false);
    expect(parser.push(bytes("\r\n"))).toBe(true);
    expect(parser.finish().body.toString()).toBe("ok");
  });

  it("HTTP/1.0 with no length: the body runs until end of stream", () => {
    const parser = new ResponseParser();
    expect(parser.push(bytes("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil "))).toBe(
      false,
    );
    expect(parser.push(bytes("the end"))).toBe(false);
    const response = parser.finish();
    expect(response.version).toBe("HTTP/1.0");
    expect(response.body.toString()).toBe("until the end");
  });

  it("headers fed byte by byte, repeated headers joined, names lower-cased", () => {
    const text =
      "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-Empty:\r\nset-cookie: b=2\r\nContent-Length: 2\r\n\r\nhi";
    const parser = new ResponseParser();
    expect(pushInPieces(parser, text, 1)).toBe(text.length - 1);
    const response = parser.finish();
    expect(response.headers.get("set-cookie")).toBe("a=1, b=2");
    expect(response.headers.get("x-empty")).toBe("");
    expect(response.body.toString()).toBe("hi");
  });

  it("204 No Content (and 304, 1xx) has no body, whatever the headers say", () => {
    for (const status of ["204 No Content", "304 Not Modified"]) {
      const parser = new ResponseParser();
      expect(parser.push(bytes(`HTTP/1.1 ${status}\r\nContent-Length: 10\r\n\r\n`))).toBe(true);
      expect(parser.finish().body.length).toBe(0);
    }
  });

  it("a status line without a reason phrase is fine", () => {
    const parser = new ResponseParser();
    expect(parser.push(bytes("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n"))).toBe(true);
    const response = parser.finish();
    expect(response.status).toBe(404);
    expect(response.reason).toBe("");
  });

  it("grows past its first buffer and keeps the text intact", () => {
    const body = "0123456789".repeat(3000);
    const text = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const parser = new ResponseParser();
    expect(pushInPieces(parser, text, 1000)).toBeGreaterThan(0);
    const response = parser.finish();
    expect(response.body.toString()).toBe(body);
    expect(response.text).toBe(text);
  });
});

describe("ResponseParser: errors", () => {
  it("MALFORMED: a status line that is not HTTP/1.x", () => {
    for (const line of ["SSH-2.0-OpenSSH_9.6", "HTTP/2 200 OK", "HTTP/1.1 2000 OK", "hello"]) {
      const parser = new ResponseParser();
      const error = errorOf(() => parser.push(bytes(`${line}\r\n\r\n`)));
      expect(error.code).toBe("MALFORMED");
      expect(error.message).toContain("not an HTTP/1.x status line");
      expect(error.message).toContain(JSON.stringify(line));
    }
  });

  it("MALFORMED: a header line with no name or no colon", () => {
    for (const line of ["no colon here", ": no name", "bad name: x", "\tfolded: x"]) {
      const parser = new ResponseParser();
      const error = errorOf(() => parser.push(bytes(`HTTP/1.1 200 OK\r\n${line}\r\n\r\n`)));
      expect(error.code).toBe("MALFORMED");
      expect(error.message).toContain("malformed header line");
    }
  });

  it("MALFORMED: a bad chunk size, and a chunk not followed by CRLF", () => {
    const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const bad = errorOf(() => new ResponseParser().push(bytes(`${head}zz\r\nhello\r\n`)));
    expect(bad.code).toBe("MALFORMED");
    expect(bad.message).toContain('invalid chunk size: "zz"');
    const tooBig = errorOf(() => new ResponseParser().push(bytes(`${head}123456789\r\n`)));
    expect(tooBig.code).toBe("MALFORMED");
    const noCrlf = errorOf(() => new ResponseParser().push(bytes(`${head}2\r\nokXY0\r\n\r\n`)));
    expect(noCrlf.code).toBe("MALFORMED");
    expect(noCrlf.message).toContain("not followed by CRLF");
  });

  it("MALFORMED: an invalid Content-Length or an unsupported Transfer-Encoding", () => {
    const length = errorOf(() =>
      new ResponseParser().push(bytes("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")),
    );
    expect(length.code).toBe("MALFORMED");
    expect(length.message).toContain("invalid Content-Length");
    const encoding = errorOf(() =>
      new ResponseParser().push(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n")),
    );
    expect(encoding.code).toBe("MALFORMED");
    expect(encoding.message).toContain("unsupported Transfer-Encoding");
  });

  it("TRUNCATED: the stream ends inside the body, the headers, a chunk, or before anything", () => {
    const cases: [string, string][] = [
      ["HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", "body was cut short"],
      ["HTTP/1.1 200 OK\r\nContent-Ty", "ended inside its headers"],
      ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHel", "body was cut short"],
      ["", "closed the connection without answering"],
    ];
    for (const [text, message] of cases) {
      const parser = new ResponseParser();
      if (text.length > 0) expect(parser.push(bytes(text))).toBe(false);
      const error = errorOf(() => parser.finish());
      expect(error.code).toBe("TRUNCATED");
      expect(error.message).toContain(message);
    }
  });

  it("TOO_LARGE: more bytes than the cap, even split over many pushes", () => {
    const parser = new ResponseParser(100);
    expect(parser.push(bytes("HTTP/1.0 200 OK\r\nX-Until: close\r\n\r\n"))).toBe(false);
    expect(parser.push(Buffer.alloc(50, 0x78))).toBe(false);
    const error = errorOf(() => parser.push(Buffer.alloc(50, 0x78)));
    expect(error.code).toBe("TOO_LARGE");
    expect(error.message).toContain("larger than 100 bytes");
    expect(error.message).toContain("maxResponseBytes");
  });

  it("TOO_LARGE: a Content-Length beyond the cap is refused at the end of the head", () => {
    const parser = new ResponseParser(100);
    const error = errorOf(() =>
      parser.push(bytes("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")),
    );
    expect(error.code).toBe("TOO_LARGE");
    expect(error.message).toContain("larger than 100 bytes (Content-Length: 1000)");
  });

  it("a response of exactly the cap is accepted", () => {
    const text = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    const parser = new ResponseParser(text.length);
    expect(parser.push(bytes(text))).toBe(true);
    expect(parser.finish().body.toString()).toBe("abc");
  });
});

describe("ResponseParser: interim 1xx responses are skipped", () => {
  it("100 Continue, then the final response", () => {
    const text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello";
    const parser = new ResponseParser();
    expect(parser.push(bytes(text))).toBe(true);
    const response = parser.finish();
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe("Hello");
    expect(response.interim.map((r) => r.status)).toEqual([100]);
    // The future's output is what arrived, interim response included.
    expect(response.text).toBe(text);
  });

  it("103 Early Hints with headers, twice, then a chunked 200, fed byte by byte", () => {
    const hints = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";
    const text = `${hints}${hints}HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n`;
    const parser = new ResponseParser();
    expect(pushInPieces(parser, text, 1)).toBe(text.length - 1);
    const response = parser.finish();
    expect(response.status).toBe(200);
    expect(response.reason).toBe("OK");
    expect(response.headers.has("link")).toBe(false);
    expect(response.body.toString()).toBe("ok");
    expect(response.interim.length).toBe(2);
    expect(response.interim[0]?.headers.get("link")).toBe("</style.css>; rel=preload");
  });

  it("an interim response alone is not complete; the stream ending there is TRUNCATED", () => {
    const parser = new ResponseParser();
    expect(parser.push(bytes("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"))).toBe(false);
    const error = errorOf(() => parser.finish());
    expect(error.code).toBe("TRUNCATED");
    expect(error.message).toContain(
      "after an interim 103 Early Hints response, before the final one",
    );
  });

  it("101 Switching Protocols is refused: nothing asked for an upgrade", () => {
    const error = errorOf(() =>
      new ResponseParser().push(bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n")),
    );
    expect(error.code).toBe("MALFORMED");
    expect(error.message).toContain("101 Switching Protocols");
  });
});

describe("ResponseParser: bytes after the end of the response are refused", () => {
  const cases: [string, string, RegExp][] = [
    [
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
      "EXTRA",
      /5 bytes arrived after the end of the response \(at byte 40, where its Content-Length: 2 ends it\): "EXTRA"/,
    ],
    [
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n",
      "HTTP/1.1 200 OK\r\n",
      /17 bytes arrived after .*chunked body.*"HTTP\/1\.1 200 OK\\r\\n"/,
    ],
    [
      "HTTP/1.1 204 No Content\r\n\r\nsurprise",
      "surprise",
      /8 bytes arrived after .*status 204 \(no body\).*"surprise"/,
    ],
  ];
  for (const [text, extra, message] of cases) {
    it(`in the same read: ${JSON.stringify(extra)}`, () => {
      const error = errorOf(() => new ResponseParser().push(bytes(text)));
      expect(error.code).toBe("MALFORMED");
      expect(error.message).toMatch(message);
    });

    it(`in a later read: ${JSON.stringify(extra)}`, () => {
      const parser = new ResponseParser();
      expect(parser.push(bytes(text.slice(0, text.length - extra.length)))).toBe(true);
      const error = errorOf(() => parser.push(bytes(extra)));
      expect(error.code).toBe("MALFORMED");
      expect(error.message).toContain(
        `${extra.length} bytes arrived after the end of the response`,
      );
    });
  }
});

describe("ResponseParser: what arrived is what the message says", () => {
  it("an LF-only reply: a bare LF, shown, not 'ended inside its headers'", () => {
    const error = errorOf(() =>
      new ResponseParser().push(bytes("HTTP/1.1 200 OK\nContent-Length: 2\n\nhi")),
    );
    expect(error.code).toBe("MALFORMED");
    expect(error.message).toContain("bare LF where HTTP requires CRLF");
    expect(error.message).toContain('"HTTP/1.1 200 OK\\n"');
  });

  it("a bare LF after a valid status line, in a header line", () => {
    const error = errorOf(() =>
      new ResponseParser().push(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\n\r\n")),
    );
    expect(error.message).toMatch(/a header line ends in a bare LF .*"Content-Length: 2\\n"/);
  });

  it("a non-HTTP reply is refused at once, before the server closes, and shown", () => {
    for (const [reply, shown] of [
      ["hello", '"hello"'],
      ["\u0000\u0001binary", '"\\u0000\\u0001binary"'],
      ["HTTP/2 ", '"HTTP/2 "'],
    ] as const) {
      const error = errorOf(() => new ResponseParser().push(bytes(reply)));
      expect(error.code).toBe("MALFORMED");
      expect(error.message).toBe(`not an HTTP/1.x response: it begins ${shown}`);
    }
    const line = errorOf(() => new ResponseParser().push(bytes("hello world\n")));
    expect(line.message).toBe('not an HTTP/1.x status line: "hello world"');
  });

  it("a prefix of a status line is fine until the stream ends: then TRUNCATED, shown", () => {
    const parser = new ResponseParser();
    expect(parser.push(bytes("HTTP/1"))).toBe(false);
    const error = errorOf(() => parser.finish());
    expect(error.code).toBe("TRUNCATED");
    expect(error.message).toBe('the response ended inside its status line after 6 bytes: "HTTP/1"');
  });

  it("a truncated head shows what arrived", () => {
    const parser = new ResponseParser();
    parser.push(bytes("HTTP/1.1 200 OK\r\nContent-Ty"));
    expect(errorOf(() => parser.finish()).message).toBe(
      'the response ended inside its headers after 27 bytes: "HTTP/1.1 200 OK\\r\\nContent-Ty"',
    );
  });

  it("a CR inside a header value, a bare LF after a chunk size, an endless chunk-size line", () => {
    const cr = errorOf(() =>
      new ResponseParser().push(bytes("HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n")),
    );
    expect(cr.message).toContain("malformed header line");
    const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const lf = errorOf(() => new ResponseParser().push(bytes(`${head}5\nHello`)));
    expect(lf.message).toMatch(/chunk-size line ends in a bare LF/);
    const parser = new ResponseParser();
    const endless = errorOf(() => {
      parser.push(bytes(`${head}1;`));
      for (let i = 0; i < 100; i++) parser.push(Buffer.alloc(100, 0x61));
    });
    expect(endless.code).toBe("MALFORMED");
    expect(endless.message).toContain("chunk-size line longer than 4096 bytes");
  });
});

describe("ResponseParser: what a hostile server sends is refused, not passed on", () => {
  const ok = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

  it("a status code outside 100–599: 000 would otherwise pass for an interim reply and hide the next head", () => {
    for (const code of ["000", "099", "600", "999"]) {
      const error = errorOf(() =>
        new ResponseParser().push(
          bytes(`HTTP/1.1 ${code} Weird\r\nContent-Length: 5\r\n\r\n${ok}`),
        ),
      );
      expect(error.code).toBe("MALFORMED");
      expect(error.message).toContain(`status ${code} is not an HTTP status code`);
    }
    for (const code of ["100", "199", "599"]) {
      // The edges are status codes; 1xx stays interim (its head is skipped).
      expect(() => new ResponseParser().push(bytes(`HTTP/1.1 ${code} Edge\r\n\r\n`))).not.toThrow();
    }
  });

  it("control characters in a reason phrase, a header value or a trailer: ESC would reach a terminal", () => {
    const reason = errorOf(() =>
      new ResponseParser().push(bytes("HTTP/1.1 200 \x1b[2JOK\r\n\r\n")),
    );
    expect(reason.message).toContain("control character in the status line's reason phrase");
    for (const value of ["\x1b[31mred", "a\x7fb", "nul\0here", "bell\x07"]) {
      const header = errorOf(() =>
        new ResponseParser().push(
          bytes(`HTTP/1.1 200 OK\r\nX-A: ${value}\r\nContent-Length: 0\r\n\r\n`),
        ),
      );
      expect(header.code).toBe("MALFORMED");
      expect(header.message).toContain("malformed header line");
    }
    // A tab is allowed in a value, as RFC 9110 says.
    const parser = new ResponseParser();
    expect(parser.push(bytes("HTTP/1.1 200 OK\r\nX-A: a\tb\r\nContent-Length: 0\r\n\r\n"))).toBe(
      true,
    );
    expect(parser.finish().headers.get("x-a")).toBe("a\tb");
  });

  it("trailer lines are checked like header lines, then dropped", () => {
    const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n";
    for (const trailer of ["this is not a field", "X-T: \x1b[31m", ": no name"]) {
      const error = errorOf(() => new ResponseParser().push(bytes(`${head}${trailer}\r\n\r\n`)));
      expect(error.code).toBe("MALFORMED");
      expect(error.message).toContain("malformed trailer line");
    }
    const parser = new ResponseParser();
    expect(parser.push(bytes(`${head}X-Checksum: abc\r\n\r\n`))).toBe(true);
    expect(parser.finish().body.toString()).toBe("hello");
  });

  it("ambiguous framing: Transfer-Encoding beside Content-Length, or in an HTTP/1.0 reply", () => {
    const both = errorOf(() =>
      new ResponseParser().push(
        bytes(
          "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        ),
      ),
    );
    expect(both.code).toBe("MALFORMED");
    expect(both.message).toContain("both Transfer-Encoding: chunked and Content-Length: 3");
    const old = errorOf(() =>
      new ResponseParser().push(
        bytes("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
      ),
    );
    expect(old.code).toBe("MALFORMED");
    expect(old.message).toContain("HTTP/1.0 has no transfer codings");
  });

  it("a coding this client cannot decode is refused, not handed on as the body", () => {
    for (const encoding of ["gzip, chunked", "chunked, chunked", "identity"]) {
      const error = errorOf(() =>
        new ResponseParser().push(
          bytes(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${encoding}\r\n\r\n`),
        ),
      );
      expect(error.code).toBe("MALFORMED");
      expect(error.message).toContain(`unsupported Transfer-Encoding: ${encoding}`);
    }
    const parser = new ResponseParser();
    parser.push(
      bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding:  Chunked \r\n\r\n2\r\nok\r\n0\r\n\r\n"),
    );
    expect(parser.finish().body.toString()).toBe("ok");
  });

  it("a repeated Content-Length: the same value is one length, two values are refused", () => {
    const parser = new ResponseParser();
    expect(
      parser.push(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello")),
    ).toBe(true);
    expect(parser.finish().body.toString()).toBe("hello");
    const two = errorOf(() =>
      new ResponseParser().push(
        bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
      ),
    );
    expect(two.message).toContain('invalid Content-Length: "5, 6"');
    const huge = errorOf(() =>
      new ResponseParser().push(
        bytes("HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999\r\n\r\n"),
      ),
    );
    expect(huge.code).toBe("TOO_LARGE");
    expect(huge.message).toContain("(Content-Length: 9999999999999999)"); // as sent, not rounded
    expect(huge.message).toContain("give HttpGetFuture a larger maxResponseBytes");
  });
});

describe("ResponseParser: linear in the body", () => {
  it("150,000 one-byte chunks in 1460-byte reads decode to the right body", () => {
    // The old parser re-decoded the whole body on every read: ~50 s of CPU here. This one
    // examines each byte once; the suite's timeout is the only clock involved.
    const chunks = 150_000;
    const body = Buffer.alloc(chunks);
    for (let i = 0; i < chunks; i++) body[i] = 0x61 + (i % 26);
    let framing = "";
    for (let i = 0; i < chunks; i++) framing += `1\r\n${String.fromCharCode(body[i] ?? 0)}\r\n`;
    const text = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${framing}0\r\n\r\n`;
    const parser = new ResponseParser(text.length);
    const pieces = Math.ceil(text.length / 1460);
    expect(pushInPieces(parser, text, 1460)).toBe(pieces - 1);
    expect(parser.finish().body.equals(body)).toBe(true);
  }, 20_000);
});
