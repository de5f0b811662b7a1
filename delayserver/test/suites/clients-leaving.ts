// Clients that leave while their request is held, as tests any delayserver can be held to:
// the request is cancelled at once (no descriptor held in CLOSE_WAIT for the rest of the
// delay), the log says so, and the server keeps serving. Like routes.ts, it sees the server
// only through a socket and its `logLines` hook.
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { get, raw, splitAddress, within } from "./client.js";
import type { ServerUnderTest, StartServerUnderTest } from "./routes.js";

// Long enough that only a cancellation, never the answer, can end a test's wait.
const HELD_MS = 60_000;
const DEADLINE_MS = 5_000;

/** The line a cancelled request gets: its own `#n - Xms: message` line, and why. */
export const CANCELLED =
  /^(#\d+ - \d+ms: .*) \(cancelled after \d+ms: the client closed the connection\)$/;

/**
 * Registers the tests for clients that go away mid-delay: a close, a half-close (FIN), a
 * reset, pipelined requests, and many clients at once, each cancelled and logged.
 */
export function describeDelayServerClientsLeaving(name: string, start: StartServerUnderTest): void {
  describe(name, () => {
    let server: ServerUnderTest | undefined;
    const running = (): ServerUnderTest => {
      if (server === undefined) throw new Error(`${name}: the server did not start`);
      return server;
    };
    /** Waits until `count` lines match `pattern`; returns them. */
    const linesMatching = async (pattern: RegExp, count = 1): Promise<string[]> => {
      const matching = (): string[] =>
        running()
          .logLines()
          .filter((l) => pattern.test(l));
      await within(
        (async () => {
          while (matching().length < count) await new Promise((r) => setTimeout(r, 5));
        })(),
        DEADLINE_MS,
        () => `${count} log lines matching ${pattern}; got ${matching().length}`,
      );
      return matching();
    };
    /** A connection that has sent one held request per message (not yet logged, maybe). */
    const sending = (messages: string[]): Socket => {
      const [host, port] = splitAddress(running().address);
      const socket = connect({ host, port: Number(port) });
      socket.on("error", () => {});
      socket.write(
        messages.map((m) => `GET /${HELD_MS}/${m} HTTP/1.1\r\nHost: test\r\n\r\n`).join(""),
      );
      return socket;
    };
    /** The same, once the server has logged every one of its requests. */
    const holding = async (messages: string[]): Promise<Socket> => {
      const socket = sending(messages);
      for (const m of messages) await linesMatching(new RegExp(`^#\\d+ - ${HELD_MS}ms: ${m}$`));
      return socket;
    };
    const cancelledLine = (message: string): RegExp =>
      new RegExp(
        `^#\\d+ - ${HELD_MS}ms: ${message} \\(cancelled after \\d+ms: the client closed the connection\\)$`,
      );

    beforeAll(async () => {
      server = await start({ maxDelayMs: HELD_MS });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("a client that closes mid-delay: its request is cancelled at once, and the log says so", async () => {
      const socket = await holding(["closed"]);
      socket.end();
      const [line] = await linesMatching(cancelledLine("closed"));
      // The cancellation repeats the request's own line, number and all.
      const own = running()
        .logLines()
        .find((l) => l === CANCELLED.exec(line ?? "")?.[1]);
      expect(own).toBeDefined();
      expect((await get(running().address, "/0/still%20serving")).body).toBe("still serving");
    });

    it("a client that half-closes (FIN) mid-delay is taken as gone: no answer, connection closed", async () => {
      const text = await raw(
        running().address,
        `GET /${HELD_MS}/half HTTP/1.1\r\nHost: test\r\n\r\n`,
        { halfClose: true, deadlineMs: DEADLINE_MS },
      );
      expect(text).toBe("");
      await linesMatching(cancelledLine("half"));
    });

    it("a client that resets mid-delay: cancelled too", async () => {
      const socket = await holding(["reset"]);
      socket.resetAndDestroy();
      await linesMatching(cancelledLine("reset"));
    });

    it("a held request that asked to close the connection: cancelled too when the client leaves", async () => {
      const [host, port] = splitAddress(running().address);
      const socket = connect({ host, port: Number(port) });
      socket.on("error", () => {});
      socket.write(`GET /${HELD_MS}/last HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n`);
      await linesMatching(new RegExp(`^#\\d+ - ${HELD_MS}ms: last$`));
      socket.end();
      await linesMatching(cancelledLine("last"));
    });

    it("clients that ask to close and shut their side with the request itself: all cancelled", async () => {
      // The request's last bytes and the FIN in one go, twenty times: the FIN often comes in
      // the same read as the end of the request that stops the server reading, where it
      // raises no edge of its own.
      const [host, port] = splitAddress(running().address);
      for (let i = 0; i < 20; i++) {
        const request = `GET /${HELD_MS}/bye${i} HTTP/1.0\r\n\r\n`;
        const socket = connect({ host, port: Number(port), allowHalfOpen: true }, () => {
          socket.write(request.slice(0, 10));
          setTimeout(() => socket.end(request.slice(10)), 3);
        });
        socket.on("error", () => {});
        socket.on("data", () => {});
      }
      await linesMatching(cancelledLine("bye\\d+"), 20);
    });

    it("pipelined requests held on one connection are all cancelled when it closes", async () => {
      const socket = await holding(["pipe1", "pipe2", "pipe3"]);
      socket.destroy();
      for (const m of ["pipe1", "pipe2", "pipe3"]) await linesMatching(cancelledLine(m));
    });

    it("200 clients that ask for a long delay and close are all cancelled, and it still serves", async () => {
      const sockets = Array.from({ length: 200 }, (_, i) => sending([`many${i}`]));
      await linesMatching(new RegExp(`^#\\d+ - ${HELD_MS}ms: many\\d+$`), 200);
      for (const socket of sockets) socket.destroy();
      await linesMatching(cancelledLine("many\\d+"), 200);
      expect((await get(running().address, "/0/after")).body).toBe("after");
    });
  });
}
