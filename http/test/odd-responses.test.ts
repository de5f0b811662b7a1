import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpError, HttpGetFuture, ResponseError } from "../dist/index.js";
import { type RawServer, startRawServer } from "./helpers/raw-server.js";
import { silencePrintln, TestReactor } from "./helpers/reactor.js";

let raw: RawServer;
let reactor: TestReactor;

beforeAll(async () => {
  raw = await startRawServer();
  reactor = new TestReactor();
  silencePrintln();
});

afterAll(async () => {
  reactor?.close();
  await raw?.close();
});

function get(path: string, options: { maxResponseBytes?: number } = {}): HttpGetFuture<void> {
  return new HttpGetFuture(path, reactor, { address: raw.address, ...options });
}

function failure(path: string, options: { maxResponseBytes?: number } = {}): HttpError {
  const future = get(path, options);
  try {
    reactor.drive(future);
  } catch (error) {
    // Whatever went wrong, the socket is gone from the Poll.
    expect(reactor.registered.size).toBe(0);
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error(`GET ${path} succeeded; expected it to fail`);
}

describe("odd but valid responses from a raw server", () => {
  it("writes exactly the request line, Host and Connection: close", () => {
    const future = get("/echo");
    reactor.drive(future);
    expect(future.response.body.toString()).toBe(
      `GET /echo HTTP/1.1\r\nHost: ${raw.address}\r\nConnection: close\r\n\r\n`,
    );
  });

  it("Content-Length on a connection the server keeps open: ready without waiting for EOF", () => {
    const future = get("/content-length");
    const text = reactor.drive(future);
    expect(text).toBe(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nHello",
    );
    expect(future.response.body.toString()).toBe("Hello");
  });

  it("chunked, in two writes: the body is de-chunked, the text is what was sent", () => {
    const future = get("/chunked");
    const text = reactor.drive(future);
    expect(future.response.body.toString()).toBe("Hello, chunk");
    expect(text.endsWith("5\r\nHello\r\n7\r\n, chunk\r\n0\r\n\r\n")).toBe(true);
  });

  it("chunked with sizes and CRLFs split across writes, and a trailer", () => {
    const future = get("/chunked-split");
    reactor.drive(future);
    expect(future.response.body.toString()).toBe("sixteen bytes!!!");
    // One poll per arrival at least: the pieces came with pauses between them.
    expect(future.polls).toBeGreaterThanOrEqual(4);
  });

  it("HTTP/1.0 with no length: complete when the server closes", () => {
    const future = get("/http10");
    const text = reactor.drive(future);
    expect(future.response.version).toBe("HTTP/1.0");
    expect(future.response.body.toString()).toBe("until the end");
    expect(text.endsWith("\r\n\r\nuntil the end")).toBe(true);
  });

  it("headers split across several writes with pauses", () => {
    const future = get("/split-headers");
    reactor.drive(future);
    expect(future.response.status).toBe(200);
    expect(future.response.body.toString()).toBe("split reply");
    expect(future.polls).toBeGreaterThanOrEqual(4);
  });

  it("204 No Content on a held connection: ready at the end of the headers", () => {
    const future = get("/no-content");
    reactor.drive(future);
    expect(future.response.status).toBe(204);
    expect(future.response.headers.get("x-why")).toBe("nothing");
    expect(future.response.body.length).toBe(0);
  });

  it("103 Early Hints, then the final response: the 103 is skipped", () => {
    const future = get("/early-hints");
    const text = reactor.drive(future);
    expect(future.response.status).toBe(200);
    expect(future.response.body.toString()).toBe("Hello");
    expect(future.response.interim.map((r) => r.status)).toEqual([103]);
    expect(text.startsWith("HTTP/1.1 103 Early Hints\r\n")).toBe(true);
  });

  it("100 Continue, then a chunked response: the 100 is skipped", () => {
    const future = get("/continue");
    reactor.drive(future);
    expect(future.response.status).toBe(200);
    expect(future.response.body.toString()).toBe("ok");
  });

  it("an unknown path is a 404 response, not an error (the status is the caller's business)", () => {
    const future = get("/nothing-here");
    reactor.drive(future);
    expect(future.response.status).toBe(404);
  });
});

describe("broken responses fail with a clear error", () => {
  const cases: [string, string, RegExp][] = [
    ["/garbage", "MALFORMED", /not an HTTP\/1\.x status line: "SSH-2\.0-OpenSSH_9\.6"/],
    ["/bad-header", "MALFORMED", /malformed header line: "this line has no colon"/],
    ["/bad-chunk", "MALFORMED", /invalid chunk size: "zz"/],
    ["/truncated-body", "TRUNCATED", /body was cut short/],
    [
      "/truncated-head",
      "TRUNCATED",
      /ended inside its headers after \d+ bytes: "HTTP\/1\.1 200 OK\\r\\nContent-Type: te"/,
    ],
    [
      "/trailing",
      "MALFORMED",
      /5 bytes arrived after the end of the response .*Content-Length: 2.*"EXTRA"/,
    ],
    [
      "/lf-only",
      "MALFORMED",
      /status line ends in a bare LF where HTTP requires CRLF .*"HTTP\/1\.1 200 OK\\n"/,
    ],
    ["/ssh-held", "MALFORMED", /: not an HTTP\/1\.x response: it begins "SSH-2\.0-OpenSSH_9\.6"; /],
    ["/truncated-chunked", "TRUNCATED", /body was cut short/],
    ["/close-without-answer", "TRUNCATED", /closed the connection without answering/],
    ["/huge", "TOO_LARGE", /larger than 1048576 bytes/],
  ];
  for (const [path, code, message] of cases) {
    it(`${path} → ${code}`, () => {
      const error = failure(path);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      // Which request, to whom, and what to do: the parser alone knows none of these.
      expect(error.message.startsWith(`GET ${path} from ${raw.address}: `)).toBe(true);
      expect(error.message).toMatch(/; is the delayserver running at .*`pnpm delayserver`/);
      expect(error.cause).toBeInstanceOf(ResponseError);
    });
  }

  it("a smaller cap set by option", () => {
    const error = failure("/content-length", { maxResponseBytes: 20 });
    expect(error.code).toBe("TOO_LARGE");
    expect(error.message).toContain("larger than 20 bytes");
  });

  it("a connection reset by the server is an IO error naming the path and address", () => {
    const error = failure("/reset");
    expect(error.code).toBe("IO");
    expect(error.message).toContain(`GET /reset from ${raw.address} failed`);
    expect(error.message).toContain("ECONNRESET");
    expect(error.message).toContain(`is the delayserver running at ${raw.address}?`);
  });

  it("after all of that the server holds no connection from us", async () => {
    const deadline = Date.now() + 3000;
    let stats = await raw.stats();
    while (stats.open > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      stats = await raw.stats();
    }
    expect(stats.open).toBe(0);
    expect(stats.served).toBeGreaterThanOrEqual(18);
  });
});
