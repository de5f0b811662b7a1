// A property any delayserver must have: whatever the request line — method, target bytes,
// version — the answer is a 2xx or a 4xx, never a 5xx, a crash or a hang. fast-check makes
// the request lines; each is sent on its own connection, and must be answered by a deadline.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { get, raw } from "./client.js";
import type { ServerUnderTest, StartServerUnderTest } from "./routes.js";

// Short enough that a request line which happens to be a valid delay is answered quickly.
const MAX_DELAY_MS = 20;
const ANSWER_DEADLINE_MS = 3_000;
const RUNS = 250;

/** Bytes of a request line's part: anything but CR and LF, which would end the line itself. */
const lineBytes = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .uint8Array({ maxLength })
    .map((bytes) => Buffer.from(bytes.filter((b) => b !== 0x0d && b !== 0x0a)).toString("latin1"));

/** Pieces a target is made of, so that near-misses of the route are common, not rare. */
const targetPiece = fc.oneof(
  fc.constantFrom("/", "//", "%", "%2F", "%zz", "%E2%9C%93", "%C3%28", "?", "?q=1", "#", ".."),
  fc.constantFrom(" ", "\t", "\0", "\x7f", "\xff", "+", "*", ":", "@", "http://h"),
  fc.nat({ max: 100_000 }).map(String),
  fc.stringMatching(/^[a-zA-Z0-9]{1,6}$/),
  lineBytes(6),
);

const method = fc.oneof(
  fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"),
  fc.constantFrom("get", "PRI", "SEARCH", "G ET", ""),
  lineBytes(10),
);

const target = fc.oneof(
  // Route-shaped: /{digits}/{message}, the message made of awkward pieces.
  fc
    .tuple(fc.nat({ max: 2 * MAX_DELAY_MS }), fc.array(targetPiece, { maxLength: 5 }))
    .map(([delay, pieces]) => `/${delay}/${pieces.join("")}`),
  fc.array(targetPiece, { maxLength: 6 }).map((pieces) => pieces.join("")),
  lineBytes(40),
);

const version = fc.oneof(
  fc.constantFrom("HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/1.2", "HTTP/9.9"),
  fc.constantFrom("http/1.1", "HTTP/1", "HTTP/1.1 x", "HTTP/11", "", "HTTP/1.1\0"),
  lineBytes(10),
);

/** Whether `text` holds one whole response (the head, then Content-Length bytes of body). */
function wholeResponse(text: string, head: boolean): boolean {
  const end = text.indexOf("\r\n\r\n");
  if (end === -1) return false;
  if (head) return true;
  const length = /\r\ncontent-length: *(\d+)\r\n/i.exec(text.slice(0, end + 2))?.[1];
  return length !== undefined && text.length - (end + 4) >= Number(length);
}

/**
 * Registers the property: any request line gets a 2xx or 4xx answer in time, and the server
 * still serves afterwards. The server is started with a longest delay of 20 ms.
 */
export function describeDelayServerRequestLines(name: string, start: StartServerUnderTest): void {
  describe(name, () => {
    let server: ServerUnderTest | undefined;
    const running = (): ServerUnderTest => {
      if (server === undefined) throw new Error(`${name}: the server did not start`);
      return server;
    };
    beforeAll(async () => {
      server = await start({ maxDelayMs: MAX_DELAY_MS });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it(`answers any request line with 2xx or 4xx within ${ANSWER_DEADLINE_MS} ms (${RUNS} lines)`, async () => {
      await fc.assert(
        fc.asyncProperty(method, target, version, async (m, t, v) => {
          const request = Buffer.from(
            `${m} ${t} ${v}\r\nHost: test\r\nConnection: close\r\n\r\n`,
            "latin1",
          );
          const text = await raw(running().address, request, {
            deadlineMs: ANSWER_DEADLINE_MS,
            until: (soFar) => wholeResponse(soFar, m === "HEAD"),
          });
          const status = /^HTTP\/1\.[01] (\d{3}) /.exec(text)?.[1];
          if (status === undefined) {
            throw new Error(`no HTTP answer, got ${JSON.stringify(text.slice(0, 80))}`);
          }
          if (!/^[24]/.test(status)) {
            throw new Error(`answered ${status}: ${JSON.stringify(text.slice(0, 200))}`);
          }
        }),
        { numRuns: RUNS },
      );
      expect((await get(running().address, "/0/still%20serving")).body).toBe("still serving");
    });
  });
}
