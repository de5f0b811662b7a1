import { connect, type Socket } from "node:net";
import { get, within } from "@ch08/delayserver/test/suites/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ThreadPollServer } from "../dist/server/options.js";
import { INCOMPLETE, parseRequest } from "../dist/server/request.js";
import { startServer } from "../dist/server/start.js";

const parse = (text: string) =>
  parseRequest(Buffer.from(text, "latin1"), 0, Buffer.byteLength(text, "latin1"));

describe("parseRequest: a CR or LF outside a CRLF → 400, as node:http answers", () => {
  it.each([
    ["LF-only line ends", "GET /1/x HTTP/1.1\nHost: h\n\n"],
    ["an LF-only request line", "GET /1/x HTTP/1.1\n\r\n"],
    ["a bare CR inside a header value", "GET /1/x HTTP/1.1\r\nX: a\rContent-Length: 5\r\n\r\n"],
    ["a bare LF inside a header value", "GET /1/x HTTP/1.1\r\nX: a\nContent-Length: 5\r\n\r\n"],
  ])("%s → 400", (_, text) => {
    expect(parse(text)).toMatchObject({ error: 400 });
  });

  it("refuses a bare LF before the head is complete: no waiting for a CRLFCRLF that never comes", () => {
    expect(parse("GET /1/x HTTP/1.1\nHost:")).toMatchObject({ error: 400 });
  });

  it("a CR as the last byte read so far may still get its LF: not refused yet", () => {
    expect(parse("GET /1/x HTTP/1.1\r")).toBe(INCOMPLETE);
    expect(parse("GET /1/x HTTP/1.1\r\nHost: h\r\n\r")).toBe(INCOMPLETE);
  });
});

/**
 * Sends `first`, then each of `trickle` `everyMs` apart, and resolves with all the server
 * sent once it closes the connection (rejects after `deadlineMs`).
 */
function exchange(
  port: number,
  first: string,
  deadlineMs: number,
  trickle: { bytes: string; everyMs: number } = { bytes: "", everyMs: 0 },
): Promise<string> {
  let socket: Socket | undefined;
  let timer: NodeJS.Timeout | undefined;
  let received = "";
  const closed = new Promise<string>((resolve, reject) => {
    socket = connect({ host: "127.0.0.1", port }, () => {
      socket?.write(first);
      let next = 0;
      if (trickle.bytes.length > 0) {
        timer = setInterval(() => {
          const byte = trickle.bytes[next++ % trickle.bytes.length] ?? "x";
          if (socket?.writable === true) socket.write(byte);
        }, trickle.everyMs);
      }
    });
    socket.setEncoding("latin1");
    socket.on("data", (text: string) => {
      received += text;
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
  });
  return within(
    closed,
    deadlineMs,
    () => `the server to answer and close; it sent: ${received}`,
  ).finally(() => {
    clearInterval(timer);
    socket?.destroy();
  });
}

for (const threads of [1, 2]) {
  describe(`hostile clients (threads: ${threads})`, () => {
    const HEADERS_TIMEOUT_MS = 800;
    // Out of step with the trickle's 150 ms, as the slowloris test explains: the 408 and
    // close land 75 ms after a byte, never as one arrives (which would draw a reset).
    const REQUEST_TIMEOUT_MS = 1_275;
    let server: ThreadPollServer;
    /** The server's `#n - …` lines (with two threads they come over a channel: a wait may be needed). */
    const lines: string[] = [];
    beforeAll(async () => {
      server = await startServer({
        port: 0,
        threads,
        log: (line) => lines.push(line),
        headersTimeoutMs: HEADERS_TIMEOUT_MS,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
      });
    });
    afterAll(async () => {
      await server.stop();
    });

    it.each([
      ["LF-only line ends", "GET /0/x HTTP/1.1\nHost: h\n\n"],
      ["a CR hiding a second header", "GET /0/x HTTP/1.1\r\nX: a\rContent-Length: 5\r\n\r\nhello"],
    ])("%s: 400 at once, then the connection closes", async (_, request) => {
      const answer = await exchange(server.port, request, 3000);
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(answer).toMatch(/Connection: close/);
    });

    it("a bad request with 1000 KiB more behind it still gets its 400, then end of stream, not a reset", async () => {
      // The server reads the bad request with the first 64 KiB; the rest is still coming
      // when the 400 is out. Closing then (unread input) reset the connection, and the
      // client lost its 400 to EPIPE or ECONNRESET: now the server shuts its write half,
      // drops what still comes and closes when the client does. (`exchange` fails on a reset.)
      const answer = await exchange(
        server.port,
        `GET /0/x HTTP/1.1\nHost: h\n\n${"a".repeat(1000 * 1024)}`,
        5000,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(answer).toMatch(/Connection: close/);
    });

    it("a refused client that keeps sending after its 400 is closed after the linger, 2 s", async () => {
      // It keeps its own half open (allowHalfOpen) and sends a byte every 100 ms for ever:
      // the server must not wait for its end of stream.
      const started = performance.now();
      let received = "";
      let endAt = Number.NaN;
      let timer: NodeJS.Timeout | undefined;
      const socket = connect({ host: "127.0.0.1", port: server.port, allowHalfOpen: true }, () => {
        socket.write("GET /0/x HTTP/1.1\nHost: h\n\n");
        timer = setInterval(() => {
          if (socket.writable) socket.write("x");
        }, 100);
      });
      socket.setEncoding("latin1");
      socket.on("data", (text: string) => {
        received += text;
      });
      socket.on("end", () => {
        endAt = performance.now() - started;
      });
      socket.on("error", () => {}); // a byte that meets the closed socket draws a reset: fine
      const closed = new Promise<number>((resolve) =>
        socket.on("close", () => resolve(performance.now() - started)),
      );
      try {
        const closedAt = await within(closed, 8_000, "the server to give up lingering");
        expect(received).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
        expect(endAt).toBeLessThan(1_000); // the 400 and its FIN came at once...
        expect(closedAt).toBeGreaterThanOrEqual(1_900); // ...the close only after the linger
      } finally {
        clearInterval(timer);
        socket.destroy();
      }
    });

    it("a head that grows past 16 KiB gets 431 and is closed, without waiting for its end", async () => {
      const answer = await exchange(
        server.port,
        `GET /0/x HTTP/1.1\r\nX-Huge: ${"a".repeat(20 * 1024)}`,
        3000,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    });

    it("a slowloris client gets 408 once its head has taken too long, and others are served meanwhile", async () => {
      // A byte every 150 ms: never idle long enough for the 5 s keep-alive timer to close it.
      // Out of step with the 800 ms head deadline on purpose: a byte sent just as the server
      // closes would draw a reset (ECONNRESET) rather than the 408 this checks; here the
      // 408 and close land 50 ms after one byte and 100 ms before the next.
      const slow = exchange(server.port, "GET /0/slow HTTP/1.1\r\nX-Slow: ", 10_000, {
        bytes: "abcdefgh",
        everyMs: 150,
      });
      const started = performance.now();
      // While it trickles, ordinary requests go through, each well within its own deadline.
      for (let i = 0; i < 3; i++) {
        const answer = await get(server.address, `/0/meanwhile${i}`, { deadlineMs: 2000 });
        expect(answer.body).toBe(`meanwhile${i}`);
      }
      const answer = await slow;
      expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(answer).toMatch(/Connection: close/);
      // Not before its time: the head had HEADERS_TIMEOUT_MS from its first byte.
      expect(performance.now() - started).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    });

    it("a client that keeps sending after the request that ends its connection is closed, not read for ever", async () => {
      // Its answer is held for 5 s; meanwhile it sends 4 MiB nothing will answer, as fast
      // as the server takes them. Before the limit the server read and dropped every byte
      // (gigabytes, from a client that never stops) and answered at 5 s; now it closes
      // the connection once 1 MiB has come.
      const started = performance.now();
      const closed = new Promise<{ text: string; bytesWritten: number }>((resolve) => {
        const socket = connect({ host: "127.0.0.1", port: server.port }, () => {
          socket.write("GET /5000/held HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
          const junk = Buffer.alloc(64 * 1024, 0x61);
          const more = (): void => {
            while (socket.writable && socket.bytesWritten < 4 * 1024 * 1024) {
              if (!socket.write(junk)) return; // wait for "drain"
            }
          };
          socket.on("drain", more);
          more();
        });
        let text = "";
        socket.setEncoding("latin1");
        socket.on("data", (chunk: string) => {
          text += chunk;
        });
        socket.on("error", () => {}); // a reset is how it may end: the server left bytes unread
        socket.on("close", () => resolve({ text, bytesWritten: socket.bytesWritten }));
      });
      const { text } = await within(closed, 10_000, "the server to close the connection");
      expect(performance.now() - started).toBeLessThan(4_000); // not the held answer's 5 s
      expect(text).toBe(""); // the answer it was owed is dropped with it, and the log says so
      const cancelled =
        /^#\d+ - 5000ms: held \(cancelled after \d+ms: the client sent more than 1 MiB after its last request\)$/;
      await within(
        (async () => {
          while (!lines.some((line) => cancelled.test(line)))
            await new Promise((r) => setTimeout(r, 5));
        })(),
        2_000,
        () => `a log line matching ${cancelled}; got ${lines.slice(-3).join(" | ")}`,
      );
      const answer = await get(server.address, "/0/still-serving", { deadlineMs: 2000 });
      expect(answer.body).toBe("still-serving");
    });

    it("a body trickled a byte at a time gets 408 once the request has taken too long, after its answer", async () => {
      // The head is whole at once and answered; the body it announced then comes a byte
      // every 150 ms, never idle for the 5 s keep-alive timer. Before the request limit
      // the connection stayed open for as long as the bytes kept coming.
      const started = performance.now();
      const answer = await exchange(
        server.port,
        "GET /0/answered HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n",
        10_000,
        { bytes: "abcdefgh", everyMs: 150 },
      );
      const took = performance.now() - started;
      expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nansweredHTTP\/1\.1 408 /);
      expect(answer).toMatch(/Connection: close\r\n\r\n408 Request Timeout\n$/);
      expect(took).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    });
  });
}
