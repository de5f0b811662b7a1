// Load for the delayserver's "held at once" figure: many delayed requests, one raw
// node:net connection each, and how late each answer came.
import { connect } from "node:net";

/** How holding many delayed requests at once went, as the clients saw it. */
export interface HeldResult {
  /** Requests sent. */
  readonly requests: number;
  /** Most requests written and not yet answered at one moment. */
  readonly peakHeld: number;
  /** From the first connect to the last request written, ms. */
  readonly rampMs: number;
  /** Per answered request: arrival − (write time + delay), ms, ascending. */
  readonly latenessMs: Float64Array;
  /** Requests that got no 200 (refused, reset, another status). */
  readonly failures: number;
  /** Answers that came before their delay was up (the server's bug if not 0). */
  readonly early: number;
}

/**
 * Sends `n` requests for `/{delayMs}/x`, each on its own connection, with at most
 * `connecting` connects outstanding so the accept queue never overflows; resolves once
 * every request has been answered or has failed.
 */
export function holdMany(
  port: number,
  n: number,
  delayMs: number,
  connecting = 256,
): Promise<HeldResult> {
  const request = Buffer.from(
    `GET /${delayMs}/x HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n`,
  );
  const lateness = new Float64Array(n);
  let answered = 0;
  let failures = 0;
  let early = 0;
  let launched = 0;
  let connectsOutstanding = 0;
  let held = 0;
  let peakHeld = 0;
  let settled = 0;
  let firstConnectAt = 0;
  let lastWriteAt = 0;

  return new Promise<HeldResult>((resolve) => {
    const oneSettled = (): void => {
      settled++;
      if (settled < n) {
        launchMore();
        return;
      }
      resolve({
        requests: n,
        peakHeld,
        rampMs: lastWriteAt - firstConnectAt,
        latenessMs: lateness.slice(0, answered).sort(),
        failures,
        early,
      });
    };
    const launchOne = (): void => {
      let writtenAt = 0;
      let over = false;
      const finish = (ok: boolean, arrivedAt: number): void => {
        if (over) return;
        over = true;
        if (writtenAt > 0) held--;
        if (ok) {
          const late = arrivedAt - writtenAt - delayMs;
          if (late < 0) early++;
          lateness[answered++] = late;
        } else {
          failures++;
        }
        oneSettled();
      };
      connectsOutstanding++;
      if (firstConnectAt === 0) firstConnectAt = performance.now();
      const socket = connect({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        connectsOutstanding--;
        writtenAt = performance.now();
        lastWriteAt = writtenAt;
        socket.write(request);
        held++;
        peakHeld = Math.max(peakHeld, held);
        launchMore();
      });
      socket.once("data", (chunk: Buffer) => {
        // The status line's code is bytes 9–11 of "HTTP/1.1 200 OK"; the rest is not needed.
        finish(chunk.toString("latin1", 9, 12) === "200", performance.now());
        socket.resume();
      });
      socket.once("error", () => {
        if (writtenAt === 0) connectsOutstanding--;
        finish(false, 0);
      });
      socket.once("close", () => finish(false, 0));
    };
    const launchMore = (): void => {
      while (connectsOutstanding < connecting && launched < n) {
        launched++;
        launchOne();
      }
    };
    launchMore();
  });
}
