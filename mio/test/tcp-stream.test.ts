import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Events, Interest, IoError, Poll, TcpStream, Token, WOULD_BLOCK } from "../src/index.js";
import { BACKENDS, httpGet } from "./helpers/client.js";
import { startServer, type TestServer } from "./helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

/** A port nobody listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe.each(BACKENDS)("TcpStream on %s", (backend) => {
  it("gets a whole response delivered in chunks over several events", () => {
    const poll = new Poll({ backend });
    try {
      const result = httpGet(poll, server.port, "/chunks/4/40");
      expect(result.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      for (let i = 0; i < 4; i++) expect(result.text).toContain(`chunk-${i}\n`);
      // The pauses between chunks force separate readiness edges.
      expect(result.readableEvents).toBeGreaterThanOrEqual(2);
    } finally {
      poll.close();
    }
  });

  it("returns WOULD_BLOCK before the data is there, then the message, then 0", () => {
    const poll = new Poll({ backend });
    try {
      const result = httpGet(poll, server.port, "/150/HelloMio");
      expect(result.wouldBlockBeforeData).toBe(true);
      expect(result.text.endsWith("\r\n\r\nHelloMio")).toBe(true);
    } finally {
      poll.close();
    }
  });

  it("reports a refused connection as IoError ECONNREFUSED with the address", async () => {
    const port = await closedPort();
    const address = `127.0.0.1:${port}`;
    const poll = new Poll({ backend });
    const events = new Events(4);
    try {
      let stream: TcpStream;
      try {
        stream = TcpStream.connect(address);
      } catch (err) {
        // Loopback may refuse synchronously; that is the documented other outcome.
        expect(err).toBeInstanceOf(IoError);
        expect((err as IoError).code).toBe("ECONNREFUSED");
        return;
      }
      poll
        .registry()
        .register(stream, Token(3), Interest.add(Interest.READABLE, Interest.WRITABLE));
      poll.poll(events, 2000);
      expect(events.length).toBe(1);
      expect(events.token(0)).toBe(3);
      expect(events.isError(0) || events.isWriteClosed(0)).toBe(true);
      const err = stream.takeError();
      expect(err).toBeInstanceOf(IoError);
      expect(err?.code).toBe("ECONNREFUSED");
      expect(err?.address).toBe(address);
      expect(err?.message).toBe(`connect ECONNREFUSED ${address}: connection refused`);
      expect(stream.takeError()).toBeNull();
      stream.close();
      expect(stream.fd).toBe(-1);
      stream.close(); // idempotent
    } finally {
      poll.close();
    }
  });

  it("throws the refused connect from read when takeError was not called", async () => {
    const port = await closedPort();
    const poll = new Poll({ backend });
    const events = new Events(4);
    let stream: TcpStream | undefined;
    try {
      try {
        stream = TcpStream.connect({ host: "localhost", port });
      } catch (err) {
        expect((err as IoError).code).toBe("ECONNREFUSED");
        return;
      }
      poll.registry().register(stream, Token(4), Interest.READABLE);
      poll.poll(events, 2000);
      expect(events.length).toBe(1);
      const s = stream;
      expect(() => s.read(Buffer.alloc(16))).toThrowError(
        expect.objectContaining({
          code: "ECONNREFUSED",
          syscall: "read",
          address: `localhost:${port}`,
        }),
      );
    } finally {
      stream?.close();
      poll.close();
    }
  });

  it("reads and writes at an offset without touching the rest of the buffer", () => {
    const poll = new Poll({ backend });
    const events = new Events(4);
    const stream = TcpStream.connect(`127.0.0.1:${server.port}`);
    try {
      poll.registry().register(stream, Token(5), Interest.WRITABLE);
      poll.poll(events, 2000);
      const framed = Buffer.from(
        "xxGET /0/offset HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\nyy",
      );
      expect(stream.write(framed, 2, framed.length - 4)).toBe(framed.length - 4);
      poll.registry().reregister(stream, Token(5), Interest.READABLE);
      const buf = Buffer.alloc(4096, 0x2e);
      let total = 0;
      let eof = false;
      const deadline = Date.now() + 3000;
      while (!eof && Date.now() < deadline) {
        poll.poll(events, deadline - Date.now());
        // Edge-triggered: drain until WOULD_BLOCK or end of stream.
        for (;;) {
          const n = stream.read(buf, 10 + total);
          if (n === WOULD_BLOCK) break;
          if (n === 0) {
            eof = true;
            break;
          }
          total += n;
        }
      }
      expect(eof).toBe(true);
      expect(buf.subarray(0, 10).toString()).toBe("..........");
      expect(buf.subarray(10, 10 + total).toString()).toMatch(/offset$/);
    } finally {
      stream.close();
      poll.close();
    }
  });

  it("rejects addresses it cannot use without a resolver", () => {
    expect(() => TcpStream.connect("example.com:80")).toThrow(
      /IPv4 address or localhost \(there is no DNS resolver here\)/,
    );
    expect(() => TcpStream.connect("127.0.0.1")).toThrow(/host:port/);
    expect(WOULD_BLOCK).toBe(-1);
  });
});
