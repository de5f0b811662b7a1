import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DelayServer } from "../src/options.js";
import { startDelayServer } from "../src/server.js";
import { get, raw } from "./helpers.js";

let server: DelayServer;
const lines: string[] = [];

beforeAll(async () => {
  server = await startDelayServer({ port: 0, quiet: false, log: (line) => lines.push(line) });
});
afterAll(async () => {
  await server?.close();
});

const request = (path: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n`;

describe("GET /{delay_ms}/{message}", () => {
  it("echoes the decoded message, no earlier than asked, and prints #n - {delay}ms: {message}", async () => {
    const answer = await get(server.address, "/200/Hello%20World");
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("Hello World");
    expect(answer.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(answer.headers["content-length"]).toBe("11");
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(200);
    expect(lines).toContain(`#${lines.length} - 200ms: Hello World`);
  });

  it("counts requests from 1, one line per request, printed on receipt", async () => {
    const before = lines.length;
    const slow = get(server.address, "/400/slow");
    // The line is printed before the answer: wait for it while the request is still held.
    const deadline = Date.now() + 5_000;
    while (lines.length === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(lines[before]).toBe(`#${before + 1} - 400ms: slow`);
    await get(server.address, "/0/fast");
    expect(lines[before + 1]).toBe(`#${before + 2} - 0ms: fast`);
    expect((await slow).body).toBe("slow");
  });

  it("does not count refused requests", async () => {
    const before = lines.length;
    expect((await get(server.address, "/abc/x")).status).toBe(400);
    expect(lines.length).toBe(before);
  });

  it("escapes control characters in the console line, not in the answer", async () => {
    const answer = await get(server.address, "/1/bell%07%1B%5B2J%0Aend");
    expect(answer.body).toBe("bell\x07\x1b[2J\nend");
    expect(lines.at(-1)).toMatch(/: bell\\x07\\x1b\[2J\\x0aend$/);
  });

  it("answers HEAD like GET, without a body", async () => {
    const text = await raw(server.port, request("/20/hello").replace("GET", "HEAD"));
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\ncontent-length: 5\r\n/i);
    expect(text.endsWith("\r\n\r\n")).toBe(true);
  });

  it("serves two requests on one keep-alive connection", async () => {
    const ka = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`;
    // Pipelined: both held at once, answered in order on the same socket.
    const text = await raw(server.port, ka("/60/first") + ka("/30/second"), {
      until: (t) => t.includes("second"),
    });
    expect(text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(text).toMatch(/keep-alive/i);
    expect(text.indexOf("first")).toBeLessThan(text.indexOf("second"));
  });

  it("closes after answering a Connection: close request", async () => {
    const text = await raw(server.port, request("/10/bye"));
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    expect(text.endsWith("bye")).toBe(true);
  });

  it("answers a client that half-closes after its request", async () => {
    const text = await raw(server.port, request("/30/half"), { halfClose: true });
    expect(text.endsWith("half")).toBe(true);
  });

  it("survives a client that leaves while its request is held", async () => {
    await raw(server.port, request("/5000/abandoned"), {
      until: () => true,
      deadlineMs: 200,
    }).catch(() => "left");
    expect((await get(server.address, "/1/still%20here")).body).toBe("still here");
  });
});

describe("bad input: a clear 4xx with usage, and the server keeps serving", () => {
  it.each([
    ["/abc/x", 400],
    ["/-5/x", 400],
    ["/1.5/x", 400],
    ["/60001/x", 400],
    ["/200/", 400],
    ["/200/%E0%A4%A", 400],
    ["/", 404],
    ["/a/b/c", 404],
  ])("GET %s → %i", async (path, status) => {
    const answer = await get(server.address, path);
    expect(answer.status).toBe(status);
    expect(answer.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(answer.body).toMatch(new RegExp(`^${status} `));
    expect(answer.body).toMatch(/usage: GET \/\{delay_ms\}\/\{message\}/);
    expect((await get(server.address, "/0/ok")).body).toBe("ok");
  });

  it.each(["POST", "PUT", "DELETE"])("%s → 405 with Allow: GET, HEAD", async (method) => {
    const answer = await get(server.address, "/1/x", { method });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe("GET, HEAD");
  });

  it("a URL over 8 KiB → 414; over node's 16 KiB header limit → 431; still serving", async () => {
    const long = (n: number): string => `/1/${"a".repeat(n)}`;
    expect((await get(server.address, long(12 * 1024))).status).toBe(414);
    const huge = await raw(server.port, request(long(20 * 1024)));
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect((await get(server.address, "/0/ok")).body).toBe("ok");
  });

  it.each([
    ["not HTTP at all", "HELLO\r\n\r\n"],
    ["binary", "\x00\x01\x02\xff\r\n\r\n"],
    ["a bad header line", "GET /1/x HTTP/1.1\r\nno colon here\r\n\r\n"],
    ["a bad Content-Length", "GET /1/x HTTP/1.1\r\nContent-Length: -1\r\n\r\n"],
  ])("%s → 400 and the connection is closed", async (_, bytes) => {
    const text = await raw(server.port, bytes);
    expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect((await get(server.address, "/0/ok")).body).toBe("ok");
  });

  it("never reflects request headers", async () => {
    const secret = "reflected-header-canary";
    for (const path of ["/1/x", "/abc/x", "/"]) {
      const text = await raw(
        server.port,
        `GET ${path} HTTP/1.1\r\nHost: ${secret}\r\nX-Canary: ${secret}\r\nConnection: close\r\n\r\n`,
      );
      expect(text).toMatch(/^HTTP\/1\.1 /);
      expect(text).not.toContain(secret);
    }
  });
});
