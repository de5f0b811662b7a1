// The delayserver's contract, as tests any server can be held to: the routes, the log lines
// and the 4xx answers to bad input. The node:http delayserver runs it (test/server.test.ts,
// test/thread.test.ts) and so can another server, by passing its own way to start one.
// Nothing here comes from the delayserver's source: only bytes on a socket and the lines
// the server under test reports through its `logLines` hook.
//
// From another package (with "@ch08/delayserver": "workspace:*" in its devDependencies):
//
//   import { describeDelayServerRoutes } from "@ch08/delayserver/test/suites/routes";
//   describeDelayServerRoutes("my server", async ({ maxDelayMs }) => {
//     const lines: string[] = [];
//     const server = await startMyServer({ port: 0, maxDelayMs, log: (line) => lines.push(line) });
//     return { address: server.address, logLines: () => lines, stop: () => server.close() };
//   });
//
// The export points at this .ts file: vitest and tsc load it, plain node does not.

import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { get, raw, splitAddress, within } from "./client.js";

/** A running server as the suites see it: where it listens, what it printed, how to stop it. */
export interface ServerUnderTest {
  /** `host:port` it accepts HTTP/1.1 on (127.0.0.1 and a free port, say). */
  readonly address: string;
  /** The `#n - {delay}ms: {message}` lines it has printed so far, oldest first, one per entry. */
  logLines(): readonly string[];
  /** Stops it and frees its port; held requests may be answered 503. */
  stop(): Promise<void>;
}

/** What a suite asks of the server it starts; everything else is the delayserver's default. */
export interface ServerUnderTestOptions {
  /** The longest delay a request may ask for; longer ones get 400. */
  maxDelayMs: number;
}

/**
 * Starts a fresh server on a free port: the delayserver's defaults (one `#n` line per request,
 * counted from 1, not quiet) but for what `options` asks.
 */
export type StartServerUnderTest = (options: ServerUnderTestOptions) => Promise<ServerUnderTest>;

// The contract's numbers, written out rather than imported: a foreign server must match them.
const MAX_DELAY_MS = 60_000;
const MAX_TARGET_BYTES = 8 * 1024;
const HEADER_LIMIT_BYTES = 16 * 1024;
const LINE_DEADLINE_MS = 5_000;

/** A request that asks the server to close the connection after answering. */
const closing = (path: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n`;

/**
 * Registers the route and bad-input tests for one server: `GET /{delay_ms}/{message}` echoes
 * after the delay and logs `#n - Xms: message`; every bad request gets the delayserver's 4xx
 * answer and the server keeps serving.
 */
export function describeDelayServerRoutes(name: string, start: StartServerUnderTest): void {
  describe(name, () => {
    let server: ServerUnderTest | undefined;
    const running = (): ServerUnderTest => {
      if (server === undefined) throw new Error(`${name}: the server did not start`);
      return server;
    };
    /** The log line at `index`, waited for: a server may print from another thread. */
    const lineAt = async (index: number): Promise<string> => {
      await within(
        (async () => {
          while (running().logLines().length <= index) await new Promise((r) => setTimeout(r, 5));
        })(),
        LINE_DEADLINE_MS,
        () => `log line ${index + 1}; so far: ${JSON.stringify(running().logLines())}`,
      );
      return running().logLines()[index] ?? "";
    };

    beforeAll(async () => {
      server = await start({ maxDelayMs: MAX_DELAY_MS });
    });
    afterAll(async () => {
      await server?.stop();
    });

    describe("GET /{delay_ms}/{message}", () => {
      it("echoes the decoded message, no earlier than asked, and prints #n - {delay}ms: {message}", async () => {
        const before = running().logLines().length;
        const answer = await get(running().address, "/200/Hello%20World");
        expect(answer.status).toBe(200);
        expect(answer.body).toBe("Hello World");
        expect(answer.headers["content-type"]).toBe("text/plain; charset=utf-8");
        expect(answer.headers["content-length"]).toBe("11");
        expect(answer.elapsedMs).toBeGreaterThanOrEqual(200);
        expect(await lineAt(before)).toBe(`#${before + 1} - 200ms: Hello World`);
      });

      it("counts requests from 1, one line per request, printed on receipt", async () => {
        const before = running().logLines().length;
        const slow = get(running().address, "/400/slow");
        // The line comes before the answer: it is there while the request is still held.
        expect(await lineAt(before)).toBe(`#${before + 1} - 400ms: slow`);
        await get(running().address, "/0/fast");
        expect(await lineAt(before + 1)).toBe(`#${before + 2} - 0ms: fast`);
        expect((await slow).body).toBe("slow");
      });

      it("numbers its lines in the order it prints them, with many requests at once", async () => {
        const before = running().logLines().length;
        const burst = 100;
        const paths = Array.from({ length: burst }, (_, i) => `/0/burst${i}`);
        await Promise.all(paths.map((path) => get(running().address, path)));
        await lineAt(before + burst - 1);
        const numbers = running()
          .logLines()
          .slice(before, before + burst)
          .map((line) => Number(/^#(\d+) /.exec(line)?.[1]));
        // A server with several threads must still print #n before #n+1, as one thread does.
        expect(numbers).toEqual(Array.from({ length: burst }, (_, i) => before + 1 + i));
      });

      it("does not count refused requests", async () => {
        const before = running().logLines().length;
        expect((await get(running().address, "/abc/x")).status).toBe(400);
        expect((await get(running().address, "/0/counted")).body).toBe("counted");
        expect(await lineAt(before)).toBe(`#${before + 1} - 0ms: counted`);
      });

      it("escapes control characters in the log line, not in the answer", async () => {
        const before = running().logLines().length;
        const answer = await get(running().address, "/1/bell%07%1B%5B2J%0Aend");
        expect(answer.body).toBe("bell\x07\x1b[2J\nend");
        expect(await lineAt(before)).toBe(`#${before + 1} - 1ms: bell\\x07\\x1b[2J\\x0aend`);
      });

      it("answers HEAD like GET, without a body", async () => {
        const text = await raw(running().address, closing("/20/hello").replace("GET", "HEAD"));
        expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
        expect(text).toMatch(/\r\ncontent-length: 5\r\n/i);
        expect(text.endsWith("\r\n\r\n")).toBe(true);
      });

      it("ignores a query string and serves an absolute-form target", async () => {
        expect((await get(running().address, "/5/with?query=ignored")).body).toBe("with");
        const text = await raw(running().address, closing("http://example.test/5/absolute"));
        expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
        expect(text.endsWith("\r\n\r\nabsolute")).toBe(true);
      });

      it("serves pipelined requests on one keep-alive connection, answered in order", async () => {
        const ka = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`;
        // Both held at once: the shorter second one still waits for the first to be answered.
        const text = await raw(running().address, ka("/60/first") + ka("/30/second"), {
          until: (t) => t.includes("second"),
        });
        expect(text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
        expect(text).toMatch(/keep-alive/i);
        expect(text.indexOf("first")).toBeLessThan(text.indexOf("second"));
      });

      it("Expect: 100-continue gets 100 Continue at once, then the answer (HTTP/1.1 only)", async () => {
        const expecting = (version: string, value: string): string =>
          `GET /30/go HTTP/${version}\r\nHost: test\r\nExpect: ${value}\r\nConnection: close\r\n\r\n`;
        const text = await raw(running().address, expecting("1.1", "100-Continue"));
        expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
        expect(text.endsWith("\r\n\r\ngo")).toBe(true);
        // HTTP/1.0 has no 1xx answers: the Expect is passed over.
        expect(await raw(running().address, expecting("1.0", "100-continue"))).toMatch(
          /^HTTP\/1\.1 200 OK\r\n/,
        );
      });

      it("any other Expect gets 417, uncounted, and a keep-alive connection goes on", async () => {
        const before = running().logLines().length;
        const text = await raw(
          running().address,
          `GET /0/x HTTP/1.1\r\nHost: test\r\nExpect: teapot\r\n\r\n${closing("/0/after")}`,
        );
        expect(text).toMatch(/^HTTP\/1\.1 417 Expectation Failed\r\n/);
        expect(text).toMatch(/\r\n\r\n0\r\n\r\nHTTP\/1\.1 200 OK\r\n/); // an empty chunked body
        expect(text.endsWith("after")).toBe(true);
        expect(await lineAt(before)).toBe(`#${before + 1} - 0ms: after`);
      });

      it("closes after answering a Connection: close request", async () => {
        const text = await raw(running().address, closing("/10/bye"));
        expect(text).toMatch(/\r\nConnection: close\r\n/i);
        expect(text.endsWith("bye")).toBe(true);
      });

      it("answers a client that half-closes after a request it need not wait for", async () => {
        const text = await raw(running().address, closing("/0/half"), { halfClose: true });
        expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
        expect(text.endsWith("half")).toBe(true);
      });

      it("closes at once after answering clients that shut their side right after the request", async () => {
        // The FIN comes 3 ms after the request's first bytes, often in the same read as its
        // last ones: a server that stops at a short read must still see it, not wait for
        // its 5 s keep-alive check.
        const [host, port] = splitAddress(running().address);
        const request = "GET /0/fin HTTP/1.1\r\nHost: test\r\n\r\n";
        const started = performance.now();
        const closedAfter = await Promise.all(
          Array.from(
            { length: 20 },
            (_, k) =>
              new Promise<number>((resolve) => {
                const socket = connect({ host, port: Number(port), allowHalfOpen: true }, () => {
                  socket.write(request.slice(0, 5 + k));
                  setTimeout(() => socket.end(request.slice(5 + k)), 3);
                });
                socket.on("data", () => {});
                socket.on("error", () => {});
                socket.on("close", () => resolve(performance.now() - started));
              }),
          ),
        );
        expect(Math.max(...closedAfter)).toBeLessThan(2_000);
      });

      it("survives a client that leaves while its request is held", async () => {
        await raw(running().address, closing("/5000/abandoned"), {
          until: () => true,
          deadlineMs: 200,
        }).catch(() => "left");
        expect((await get(running().address, "/1/still%20here")).body).toBe("still here");
      });
    });

    describe("bad input: a clear 4xx with usage, and the server keeps serving", () => {
      it.each([
        ["/abc/x", 400],
        ["/-5/x", 400],
        ["/1.5/x", 400],
        ["/1e3/x", 400],
        [`/${MAX_DELAY_MS + 1}/x`, 400],
        ["/99999999999999999999999/x", 400],
        ["/200/", 400],
        ["/200", 400],
        ["/200/%zz", 400],
        ["/200/%E0%A4%A", 400],
        ["/", 404],
        ["/favicon.ico", 404],
        ["//x", 404],
        ["/a/b/c", 404],
      ])("GET %s → %i", async (path, status) => {
        const answer = await get(running().address, path);
        expect(answer.status).toBe(status);
        expect(answer.headers["content-type"]).toBe("text/plain; charset=utf-8");
        expect(answer.body).toMatch(new RegExp(`^${status} `));
        expect(answer.body).toMatch(/usage: GET \/\{delay_ms\}\/\{message\}/);
        expect((await get(running().address, "/0/ok")).body).toBe("ok");
      });

      it("names what is wrong: a delay over the max says the max", async () => {
        const answer = await get(running().address, `/${MAX_DELAY_MS + 1}/x`);
        expect(answer.body).toMatch(new RegExp(`too large: at most ${MAX_DELAY_MS} ms`));
      });

      it.each(["POST", "PUT", "DELETE"])("%s → 405 with Allow: GET, HEAD", async (method) => {
        const answer = await get(running().address, "/1/x", { method });
        expect(answer.status).toBe(405);
        expect(answer.headers.allow).toBe("GET, HEAD");
      });

      it("every other method node:http parses → 405 with Allow: GET, HEAD, the connection closed", async () => {
        // node:http's METHODS in Node 20 but GET, HEAD and CONNECT (tested apart below).
        const methods =
          "ACL BIND CHECKOUT COPY DELETE LINK LOCK M-SEARCH MERGE MKACTIVITY MKCALENDAR MKCOL " +
          "MOVE NOTIFY OPTIONS PATCH POST PROPFIND PROPPATCH PURGE PUT QUERY REBIND REPORT " +
          "SEARCH SOURCE SUBSCRIBE TRACE UNBIND UNLINK UNLOCK UNSUBSCRIBE";
        for (const method of methods.split(" ")) {
          const text = await raw(
            running().address,
            `${method} /1/x HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n`,
          );
          expect(text.split("\r\n")[0], method).toBe("HTTP/1.1 405 Method Not Allowed");
          expect(text, method).toMatch(/\r\nAllow: GET, HEAD\r\n/i);
        }
      });

      it.each([
        ["origin-form", "/1/x"],
        ["authority-form", "example.test:443"],
      ])("CONNECT (%s) → 405 with Allow: GET, HEAD, not a silent close", async (_, where) => {
        const text = await raw(
          running().address,
          `CONNECT ${where} HTTP/1.1\r\nHost: test\r\n\r\n`,
        );
        expect(text).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
        expect(text).toMatch(/\r\nAllow: GET, HEAD\r\n/i);
        expect((await get(running().address, "/0/ok")).body).toBe("ok");
      });

      it(`a URL over ${MAX_TARGET_BYTES} bytes → 414; headers over ${HEADER_LIMIT_BYTES} → 431; still serving`, async () => {
        const long = (n: number): string => `/1/${"a".repeat(n)}`;
        expect((await get(running().address, long(12 * 1024))).status).toBe(414);
        const huge = await raw(running().address, closing(long(20 * 1024)));
        expect(huge).toMatch(/^HTTP\/1\.1 431 /);
        expect((await get(running().address, "/0/ok")).body).toBe("ok");
      });

      it("405 and 414 closes: node:http's header order, the handler's Connection: close before Date", async () => {
        const names = (text: string): string[] =>
          (text.split("\r\n\r\n")[0] ?? "")
            .split("\r\n")
            .slice(1)
            .map((line) => line.slice(0, line.indexOf(":")));
        const refused = await raw(
          running().address,
          "POST /1/x HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
        );
        expect(names(refused)).toEqual([
          "Content-Type",
          "Content-Length",
          "Allow",
          "Connection",
          "Date",
        ]);
        const long = await raw(
          running().address,
          `GET /1/${"a".repeat(12 * 1024)} HTTP/1.1\r\nHost: t\r\n\r\n`,
        );
        expect(names(long)).toEqual(["Content-Type", "Content-Length", "Connection", "Date"]);
      });

      it.each([
        ["not HTTP at all", "HELLO\r\n\r\n"],
        ["binary", "\x00\x01\x02\xff\r\n\r\n"],
        ["a bad header line", "GET /1/x HTTP/1.1\r\nno colon here\r\n\r\n"],
        ["a bad Content-Length", "GET /1/x HTTP/1.1\r\nContent-Length: -1\r\n\r\n"],
        ["HTTP/1.1 without a Host header", "GET /1/x HTTP/1.1\r\nConnection: close\r\n\r\n"],
        ["a target that is a query alone", "GET ?x HTTP/1.1\r\nHost: t\r\n\r\n"],
        ["a target without its leading /", "GET 0/x HTTP/1.1\r\nHost: t\r\n\r\n"],
        ["host:port outside CONNECT", "GET t:80 HTTP/1.1\r\nHost: t\r\n\r\n"],
        [
          "two Content-Lengths, even equal ones",
          "GET /1/x HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
        ],
        [
          "chunked twice",
          "GET /1/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        ],
      ])("%s → 400 and the connection is closed", async (_, bytes) => {
        const text = await raw(running().address, bytes);
        expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
        expect((await get(running().address, "/0/ok")).body).toBe("ok");
      });

      it("node:http's own 400 to HTTP/1.1 without Host: its headers, an empty chunked body", async () => {
        const text = await raw(running().address, "GET /1/x HTTP/1.1\r\n\r\n");
        expect(text.replace(/\r\nDate: [^\r]*/, "")).toBe(
          "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        );
      });

      it("a CONNECT gets the delayserver's own 405: no Date, Allow before Content-Length", async () => {
        const text = await raw(running().address, "CONNECT t:443 HTTP/1.1\r\nHost: t\r\n\r\n");
        expect(text.split("\r\n\r\n")[0]).toBe(
          "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\n" +
            "Allow: GET, HEAD\r\nContent-Length: 167\r\nConnection: close",
        );
      });

      it("a wrong request line is refused at once, before the rest of its head has come", async () => {
        const text = await raw(running().address, "FETCH /1/x HTTP/1.1\r\nHost: t\r\n", {
          until: (t) => t.includes("\r\n\r\n"),
        });
        expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      });

      it("a request head cut short by the client's FIN gets 400, not a silent close", async () => {
        const text = await raw(running().address, "GET /1/x HTTP/1.1\r\nHost: t\r\n", {
          halfClose: true,
        });
        expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      });

      it("never reflects request headers", async () => {
        const secret = "reflected-header-canary";
        for (const path of ["/1/x", "/abc/x", "/"]) {
          const text = await raw(
            running().address,
            `GET ${path} HTTP/1.1\r\nHost: ${secret}\r\nX-Canary: ${secret}\r\nConnection: close\r\n\r\n`,
          );
          expect(text).toMatch(/^HTTP\/1\.1 /);
          expect(text).not.toContain(secret);
        }
      });
    });
  });
}
