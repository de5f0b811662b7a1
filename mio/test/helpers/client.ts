import { Events, Interest, type Poll, TcpStream, Token, WOULD_BLOCK } from "../../src/index.js";

/** The backends every behavioural test runs against. */
export const BACKENDS = ["epoll", "poll"] as const;

/** What one GET saw on its way. */
export interface GetResult {
  /** The raw response (head and body). */
  readonly text: string;
  /** Readable events that delivered data or end of stream. */
  readonly readableEvents: number;
  /** Whether a read right after writing the request returned WOULD_BLOCK. */
  readonly wouldBlockBeforeData: boolean;
}

/**
 * GET `path` with a plain mio loop (connect, write on writable, read to end of stream on
 * readable). Fails after `deadlineMs` instead of hanging.
 */
export function httpGet(poll: Poll, port: number, path: string, deadlineMs = 5000): GetResult {
  const token = 1;
  const events = new Events(16);
  const stream = TcpStream.connect(`127.0.0.1:${port}`);
  const deadline = Date.now() + deadlineMs;
  const request = Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
  );
  const buf = Buffer.alloc(4096);
  const chunks: Buffer[] = [];
  let written = 0;
  let readableEvents = 0;
  let wouldBlockBeforeData = false;
  let eof = false;
  poll
    .registry()
    .register(stream, Token(token), Interest.add(Interest.READABLE, Interest.WRITABLE));
  try {
    while (!eof) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`GET ${path}: no end of stream within ${deadlineMs} ms`);
      poll.poll(events, left);
      for (let i = 0; i < events.length; i++) {
        if (events.token(i) !== token) continue;
        if (events.isWritable(i) && written < request.length) {
          const n = stream.write(request, written);
          if (n !== WOULD_BLOCK) written += n;
          if (written === request.length && chunks.length === 0) {
            // Peek right after the request; keep whatever a fast server already sent.
            const n = stream.read(buf);
            wouldBlockBeforeData = n === WOULD_BLOCK;
            if (n > 0) chunks.push(Buffer.from(buf.subarray(0, n)));
            if (n === 0) eof = true;
          }
        }
        if (events.isReadable(i)) {
          readableEvents++;
          // Edge-triggered: drain until WOULD_BLOCK or end of stream.
          for (;;) {
            const n = stream.read(buf);
            if (n === WOULD_BLOCK) break;
            if (n === 0) {
              eof = true;
              break;
            }
            chunks.push(Buffer.from(buf.subarray(0, n)));
          }
        }
      }
    }
  } finally {
    poll.registry().deregister(stream);
    stream.close();
  }
  return { text: Buffer.concat(chunks).toString(), readableEvents, wouldBlockBeforeData };
}
