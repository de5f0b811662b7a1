import { connect, type Socket } from "node:net";
import { within } from "@ch08/delayserver/test/suites/client";
import { describe, expect, it } from "vitest";
import { startServer } from "../dist/server/start.js";

/** Opens `count` connections at once, each sending one held request; resolves with every answer's body. */
function holdMany(port: number, count: number, delayMs: number): Promise<string[]> {
  const answers = Array.from(
    { length: count },
    (_, i) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect({ host: "127.0.0.1", port });
        let text = "";
        socket.setEncoding("latin1");
        socket.on("connect", () =>
          socket.write(`GET /${delayMs}/m${i} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`),
        );
        socket.on("data", (chunk: string) => {
          text += chunk;
        });
        socket.on("close", () => resolve(text.slice(text.indexOf("\r\n\r\n") + 4)));
        socket.on("error", reject);
      }),
  );
  return within(Promise.all(answers), 20_000, `${count} held requests`);
}

/** One connection to `port`: `send` writes the requests once it is up; its answers kept as latin1 text. */
function pipeline(
  port: number,
  send: (socket: Socket) => void,
): {
  readonly socket: Socket;
  /** What came so far. */
  text(): string;
  /** Settles when the server closes the connection. */
  readonly closed: Promise<void>;
  /** Settles once what came holds `part`. */
  seen(part: string): Promise<void>;
} {
  const socket = connect({ host: "127.0.0.1", port }, () => send(socket));
  socket.setEncoding("latin1");
  let text = "";
  const watchers: { part: string; resolve: () => void }[] = [];
  socket.on("data", (chunk: string) => {
    text += chunk;
    for (const watcher of watchers) if (text.includes(watcher.part)) watcher.resolve();
  });
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  return {
    socket,
    text: () => text,
    closed,
    seen: (part) => new Promise<void>((resolve) => watchers.push({ part, resolve })),
  };
}

/** The bodies of the 200 answers in `text`, in order (a connection's answers, read as latin1). */
function bodiesOf(text: string): (string | undefined)[] {
  return text
    .split(/HTTP\/1\.1 200 OK/)
    .slice(1)
    .map((answer) => answer.split("\r\n\r\n")[1]);
}

for (const threads of [1, 2]) {
  describe(`many connections (threads: ${threads})`, () => {
    it("holds 500 requests at once and answers every one, each with its own message", async () => {
      const server = await startServer({ port: 0, threads, quiet: true });
      try {
        const bodies = await holdMany(server.port, 500, 200);
        expect(bodies).toEqual(Array.from({ length: 500 }, (_, i) => `m${i}`));
        expect(server.counters()).toMatchObject({ requests: 500, accepted: 500 });
      } finally {
        await server.close();
      }
    });

    it("pipelined requests are held at the same time, yet answered in request order", async () => {
      const server = await startServer({ port: 0, threads, quiet: true });
      try {
        const started = performance.now();
        const connection = pipeline(server.port, (socket) =>
          socket.write(
            "GET /1000/slow HTTP/1.1\r\nHost: t\r\n\r\nGET /0/fast HTTP/1.1\r\nHost: t\r\n\r\n" +
              "GET /1000/also%20slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
          ),
        );
        await within(connection.closed, 5000, "the pipelined answers");
        const elapsed = performance.now() - started;
        const bodies = bodiesOf(connection.text());
        expect(bodies).toEqual(["slow", "fast", "also slow"]);
        // Held together: both 1 s waits overlap (one after the other would take at least 2 s).
        expect(elapsed).toBeGreaterThanOrEqual(1000);
        expect(elapsed).toBeLessThan(1900);
      } finally {
        await server.close();
      }
    });

    it("more pipelined requests than it reads ahead: the rest are read as answers go out, not 5 s later", async () => {
      // 260 held requests, past the 256 answers a connection queues before it stops reading,
      // then 40 more: their bytes wait in the socket, and having raised their one edge while
      // reading was stopped, they raise no other — the connection must go back for them.
      const server = await startServer({ port: 0, threads, quiet: true });
      try {
        const requests = Array.from(
          { length: 300 },
          (_, i) => `GET /${i < 260 ? 200 : 0}/r${i} HTTP/1.1\r\nHost: t\r\n\r\n`,
        );
        const started = performance.now();
        const connection = pipeline(server.port, (socket) => {
          socket.write(requests.slice(0, 260).join(""));
          setTimeout(() => socket.write(requests.slice(260).join("")), 50);
        });
        await within(connection.seen("\r\n\r\nr299"), 10_000, "the 300 pipelined answers");
        const elapsed = performance.now() - started;
        connection.socket.destroy();
        const bodies = bodiesOf(connection.text());
        expect(bodies).toEqual(Array.from({ length: 300 }, (_, i) => `r${i}`));
        // The held 200 ms answers, then the rest at once; before, the last 40 waited for
        // the keep-alive check, 5 s after the last read.
        expect(elapsed).toBeLessThan(2_500);
      } finally {
        await server.close();
      }
    });
  });
}

describe("keep-alive", () => {
  it("closes a connection 5 s after its last answer, as node:http does, however busy it was before", async () => {
    const server = await startServer({ port: 0, quiet: true });
    try {
      const socket = connect({ host: "127.0.0.1", port: server.port });
      socket.resume();
      const started = performance.now();
      socket.on("connect", () => {
        socket.write("GET /100/a HTTP/1.1\r\nHost: t\r\n\r\n");
        setTimeout(() => socket.write("GET /0/b HTTP/1.1\r\nHost: t\r\n\r\n"), 1000);
      });
      await within(new Promise((resolve) => socket.on("close", resolve)), 10_000, "the idle close");
      // The second answer went out at about 1 s: the close comes 5 s after that, not after the first.
      expect(performance.now() - started).toBeGreaterThanOrEqual(6000);
    } finally {
      await server.close();
    }
  });
});
