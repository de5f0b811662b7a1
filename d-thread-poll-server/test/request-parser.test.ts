import { describe, expect, it } from "vitest";
import { INCOMPLETE, MAX_HEAD_BYTES, parseRequest } from "../dist/server/request.js";

const parse = (text: string) =>
  parseRequest(Buffer.from(text, "latin1"), 0, Buffer.byteLength(text, "latin1"));

describe("parseRequest: heads the server accepts", () => {
  it("reads method, target and where the next request starts", () => {
    const text = "GET /1/x HTTP/1.1\r\nHost: h\r\n\r\nGET /2/y HTTP/1.1\r\nHost: h\r\n\r\n";
    const first = parse(text);
    expect(first).toMatchObject({ method: "GET", target: "/1/x", keepAlive: true, bodyLength: 0 });
    if (first === INCOMPLETE || "error" in first) throw new Error("unreachable");
    expect(text.slice(first.end)).toBe("GET /2/y HTTP/1.1\r\nHost: h\r\n\r\n");
  });

  it.each([
    ["HTTP/1.1", "", true],
    ["HTTP/1.1", "Connection: close\r\n", false],
    ["HTTP/1.0", "", false],
    ["HTTP/1.0", "Connection: keep-alive\r\n", true],
  ])("%s with %j → keep-alive %s", (version, header, keepAlive) => {
    expect(parse(`GET /1/x ${version}\r\nHost: h\r\n${header}\r\n`)).toMatchObject({ keepAlive });
  });

  it("a body's length is skipped; a chunked body closes the connection after the answer", () => {
    expect(parse("GET /1/x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello")).toMatchObject({
      bodyLength: 5,
    });
    expect(
      parse("GET /1/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"),
    ).toMatchObject({
      chunked: true,
      keepAlive: false,
    });
  });

  it("HTTP/1.0 needs no Host header; HTTP/1.1 takes any Host, even an empty one", () => {
    expect(parse("GET /1/x HTTP/1.0\r\n\r\n")).toMatchObject({ hostMissing: false });
    expect(parse("GET /1/x HTTP/1.1\r\nHost:\r\n\r\n")).toMatchObject({ hostMissing: false });
    // node:http answers it with a 400 of its own, once the head has parsed: marked, not refused here.
    expect(parse("GET /1/x HTTP/1.1\r\nConnection: close\r\n\r\n")).toMatchObject({
      hostMissing: true,
    });
  });

  it("waits for more bytes while the head is not complete", () => {
    expect(parse("GET /1/x HTTP/1.1\r\nHost:")).toBe(INCOMPLETE);
  });

  it("refuses a whole, wrong request line at once, before the rest of the head has come", () => {
    expect(parse("FETCH /1/x HTTP/1.1\r\nHost: h\r\n")).toMatchObject({ error: 400 });
    expect(parse("GET 1/x HTTP/1.1\r\n")).toMatchObject({ error: 400 });
    expect(parse("GET /1/x HTTP/1.1\r\nHost: h\r\n")).toBe(INCOMPLETE);
    expect(parse("FETCH /1/x HTTP/1.1")).toBe(INCOMPLETE); // the line may not be over yet
  });

  it.each([
    ["a path", "/1/x"],
    ["*", "*"],
    ["absolute-form", "http://h:80/1/x"],
    ["absolute-form, any case and scheme", "HTTP://h/1/x"],
  ])("takes a target that is %s, as node:http's parser does", (_, target) => {
    expect(parse(`GET ${target} HTTP/1.1\r\nHost: h\r\n\r\n`)).toMatchObject({ target });
  });

  it("takes CONNECT's host:port (the router then answers 405)", () => {
    expect(parse("CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n")).toMatchObject({
      method: "CONNECT",
      target: "h:443",
    });
  });

  it("counts only a Content-Length's digits after its leading zeros", () => {
    const zeros = `${"0".repeat(20)}3`;
    expect(
      parse(`GET /1/x HTTP/1.1\r\nHost: h\r\nContent-Length: ${zeros}\r\n\r\nabc`),
    ).toMatchObject({ bodyLength: 3 });
  });

  it("header names in any case, values with the spaces and tabs around them taken off", () => {
    expect(parse("GET /1/x HTTP/1.1\r\nhOsT: h\r\nCONNECTION: Close\r\n\r\n")).toMatchObject({
      keepAlive: false,
    });
    expect(parse("GET /1/x HTTP/1.0\r\nconnection: x, KEEP-Alive\r\n\r\n")).toMatchObject({
      keepAlive: true,
    });
    expect(
      parse("GET /1/x HTTP/1.1\r\nHost: h\r\ncontent-LENGTH: \t5 \t\r\n\r\nhello"),
    ).toMatchObject({ bodyLength: 5 });
    // A name that only starts like one the parser looks for is some other header.
    expect(parse("GET /1/x HTTP/1.1\r\nHost: h\r\nConnection-X: close\r\n\r\n")).toMatchObject({
      keepAlive: true,
    });
  });

  it("empty lines before the request line are passed over (RFC 9112 §2.2), as node:http does", () => {
    expect(parse("\r\n\r\nGET /1/x HTTP/1.1\r\nHost: h\r\n\r\n")).toMatchObject({
      method: "GET",
      target: "/1/x",
      end: 34, // the whole of it,
    });
    expect(parse("\r\n")).toBe(INCOMPLETE);
  });

  it("Connection is a list of tokens, and close wins over keep-alive in any order", () => {
    const keepAlive = (connection: string) =>
      (parse(`GET /1/x HTTP/1.1\r\nHost: h\r\n${connection}\r\n`) as { keepAlive: boolean })
        .keepAlive;
    expect(keepAlive("Connection: xclosex\r\n")).toBe(true); // not the token close
    expect(keepAlive("Connection: upgrade , CLOSE\r\n")).toBe(false);
    expect(keepAlive("Connection: close\r\nConnection: keep-alive\r\n")).toBe(false);
    expect(keepAlive("Connection: keep-alive\r\nConnection: close\r\n")).toBe(false);
  });

  it("a chunked body whose last coding is chunked is skipped by closing after the answer", () => {
    expect(
      parse("GET /1/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"),
    ).toMatchObject({ chunked: true, keepAlive: false });
  });

  it.each([
    ["no Expect", "HTTP/1.1", "", "none"],
    ["100-continue in any case", "HTTP/1.1", "Expect: 100-Continue\r\n", "continue"],
    [
      "100-continue as a word in a list",
      "HTTP/1.1",
      "Expect: foo, 100-continue;q=1\r\n",
      "continue",
    ],
    [
      "100-continue on the second of two lines",
      "HTTP/1.1",
      "Expect: foo\r\nEXPECT: 100-continue\r\n",
      "continue",
    ],
    ["anything else", "HTTP/1.1", "Expect: teapot\r\n", "unmet"],
    ["an empty Expect", "HTTP/1.1", "Expect:\r\n", "unmet"],
    ["100-continue inside a longer word", "HTTP/1.1", "Expect: x100-continue\r\n", "unmet"],
    ["an Expect in HTTP/1.0, which has none", "HTTP/1.0", "Expect: teapot\r\n", "none"],
  ])("Expect, as node:http reads it: %s → %s", (_, version, header, expected) => {
    expect(parse(`GET /1/x ${version}\r\nHost: h\r\n${header}\r\n`)).toMatchObject({
      expect: expected,
    });
  });

  it("reads nothing past `end`: bytes left there by an earlier read are not part of the head", () => {
    const text = "GET /1/x HTTP/1.1\r\nHost: h";
    const buffer = Buffer.from(`${text}\r\n\r\n`, "latin1");
    expect(parseRequest(buffer, 0, text.length)).toBe(INCOMPLETE);
    expect(parseRequest(buffer, 0, buffer.length)).toMatchObject({ target: "/1/x" });
  });
});

describe("parseRequest: bad input → 400 or 431, as node:http answers", () => {
  it.each([
    ["not HTTP", "HELLO\r\n\r\n"],
    ["an unknown method", "FETCH /1/x HTTP/1.1\r\n\r\n"],
    ["a space in the target", "GET /1/a b HTTP/1.1\r\n\r\n"],
    ["HTTP/2.0", "GET /1/x HTTP/2.0\r\n\r\n"],
    ["a header without a colon", "GET /1/x HTTP/1.1\r\nno colon\r\n\r\n"],
    ["a bad header name", "GET /1/x HTTP/1.1\r\nBad Name: x\r\n\r\n"],
    ["a negative Content-Length", "GET /1/x HTTP/1.1\r\nContent-Length: -1\r\n\r\n"],
    [
      "two different Content-Lengths",
      "GET /1/x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    ],
    [
      "Content-Length with chunked",
      "GET /1/x HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
    ],
    // What a careful parser refuses and a lax one reads another way: a smuggling gap.
    [
      "VT and FF around a Content-Length",
      "GET /1/x HTTP/1.1\r\nHost: h\r\nContent-Length: \v3\f\r\n\r\n",
    ],
    [
      "NBSP before a Content-Length",
      "GET /1/x HTTP/1.1\r\nHost: h\r\nContent-Length: \xa03\r\n\r\n",
    ],
    [
      "a Content-Length past 2^53",
      "GET /1/x HTTP/1.1\r\nHost: h\r\nContent-Length: 18446744073709551616\r\n\r\n",
    ],
    ["a NUL in a header value", "GET /1/x HTTP/1.1\r\nHost: h\r\nX-A: b\0c\r\n\r\n"],
    ["an ESC in a header value", "GET /1/x HTTP/1.1\r\nHost: h\r\nX-A: \x1b[2J\r\n\r\n"],
    ["a DEL in a header value", "GET /1/x HTTP/1.1\r\nHost: h\r\nX-A: b\x7f\r\n\r\n"],
    ["Transfer-Encoding: gzip", "GET /1/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n"],
    [
      "Transfer-Encoding: chunked, gzip",
      "GET /1/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
    ],
    [
      "Transfer-Encoding: xchunked",
      "GET /1/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n",
    ],
    ["raw UTF-8 in the target", "GET /0/\xe2\x82\xac HTTP/1.1\r\nHost: h\r\n\r\n"],
    ["a target of a query alone", "GET ?x HTTP/1.1\r\nHost: h\r\n\r\n"],
    ["a target without its leading /", "GET 0/x HTTP/1.1\r\nHost: h\r\n\r\n"],
    ["host:port outside CONNECT", "GET h:80 HTTP/1.1\r\nHost: h\r\n\r\n"],
    ["a scheme without its //", "GET http:/x HTTP/1.1\r\nHost: h\r\n\r\n"],
    ["a scheme with a digit", "GET a1://h/x HTTP/1.1\r\nHost: h\r\n\r\n"],
    [
      "two equal Content-Lengths",
      "GET /1/x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
    ],
    [
      "chunked twice on one line",
      "GET /1/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
    ],
    [
      "chunked on two lines",
      "GET /1/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
    ],
  ])("%s → 400", (_, text) => {
    expect(parse(text)).toMatchObject({ error: 400 });
  });

  it(`a head over ${MAX_HEAD_BYTES} bytes → 431, complete or not`, () => {
    const long = `GET /1/${"a".repeat(MAX_HEAD_BYTES)} HTTP/1.1\r\n`;
    expect(parse(`${long}\r\n`)).toMatchObject({ error: 431 });
    expect(parse(long)).toMatchObject({ error: 431 });
  });
});
