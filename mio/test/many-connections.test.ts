import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Events, Interest, Poll, TcpStream, Token, WOULD_BLOCK } from "../src/index.js";
import { BACKENDS } from "./helpers/client.js";
import { startServer, type TestServer, tick } from "./helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

const openFds = () => readdirSync("/proc/self/fd").length;

describe.each(BACKENDS)("many connections on %s", (backend) => {
  it("leaks no fd over 1,000 connections (and polls)", async () => {
    const before = openFds();
    const request = Buffer.from(
      "GET /0/x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    const buf = Buffer.alloc(1024);
    const batch = 100;
    for (let round = 0; round < 1000 / batch; round++) {
      const poll = new Poll({ backend });
      const events = new Events(256);
      const streams: TcpStream[] = [];
      const done = new Set<number>();
      for (let i = 0; i < batch; i++) {
        const stream = TcpStream.connect(`127.0.0.1:${server.port}`);
        poll
          .registry()
          .register(stream, Token(i), Interest.add(Interest.READABLE, Interest.WRITABLE));
        streams.push(stream);
      }
      const written = new Set<number>();
      const deadline = Date.now() + 10_000;
      while (done.size < batch) {
        if (Date.now() > deadline) throw new Error(`round ${round}: ${done.size}/${batch} done`);
        poll.poll(events, 1000);
        for (let e = 0; e < events.length; e++) {
          const token = events.token(e);
          const stream = streams[token];
          if (stream === undefined || done.has(token)) continue;
          if (events.isWritable(e) && !written.has(token)) {
            stream.write(request);
            written.add(token);
          }
          if (events.isReadable(e)) {
            for (;;) {
              const n = stream.read(buf);
              if (n === WOULD_BLOCK) break;
              if (n === 0) {
                done.add(token);
                break;
              }
            }
          }
        }
      }
      // Half deregister first, half just close: both must free everything.
      for (const [i, stream] of streams.entries()) {
        if (i % 2 === 0) poll.registry().deregister(stream);
        stream.close();
      }
      poll.close();
    }
    // The server thread shares this fd table and closes its ends a moment later.
    const settle = Date.now() + 3000;
    while (openFds() > before && Date.now() < settle) await tick(20);
    expect(openFds()).toBe(before);
  });
});
