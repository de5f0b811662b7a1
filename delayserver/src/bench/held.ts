import { connect } from "node:net";
import { performance } from "node:perf_hooks";

/** How holding many delayed requests at once went, as the clients saw it. */
export interface HeldResult {
  /** Requests sent. */
  readonly requests: number;
  /** Most requests sent and not yet answered at one moment. */
  readonly peakHeld: number;
  /** Time from the first connect to the last request sent. */
  readonly rampMs: number;
  /** Answer time minus (send time + delay), per answered request, ascending. */
  readonly lateness: Float64Array;
  /** Requests that got no 200 (refused, reset, wrong status). */
  readonly failures: number;
  /** Answers that came earlier than asked (must be 0). */
  readonly early: number;
}

/**
 * Sends `n` requests for `/{delayMs}/x`, each on its own raw TCP connection (no agent, no
 * pooling), at most `connecting` connects in flight so the server's accept queue never
 * overflows; resolves when every request is answered or has failed.
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
  let started = 0;
  let pendingConnects = 0;
  let inFlight = 0;
  let peakHeld = 0;
  let finished = 0;
  let firstConnectAt = 0;
  let lastSentAt = 0;

  return new Promise<HeldResult>((resolve) => {
    const settle = (): void => {
      finished += 1;
      if (finished < n) {
        launch();
        return;
      }
      const answers = lateness.slice(0, answered).sort();
      resolve({
        requests: n,
        peakHeld,
        rampMs: lastSentAt - firstConnectAt,
        lateness: answers,
        failures,
        early,
      });
    };
    const one = (): void => {
      let sentAt = 0;
      let done = false;
      const finish = (ok: boolean, at: number): void => {
        if (done) return;
        done = true;
        if (sentAt > 0) inFlight -= 1;
        if (ok) {
          const late = at - sentAt - delayMs;
          if (late < 0) early += 1;
          lateness[answered++] = late;
        } else {
          failures += 1;
        }
        settle();
      };
      pendingConnects += 1;
      if (firstConnectAt === 0) firstConnectAt = performance.now();
      const socket = connect({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        pendingConnects -= 1;
        sentAt = performance.now();
        lastSentAt = sentAt;
        socket.write(request);
        inFlight += 1;
        if (inFlight > peakHeld) peakHeld = inFlight;
        launch();
      });
      socket.once("data", (chunk: Buffer) => {
        const at = performance.now();
        // "HTTP/1.1 200" — the status is all we need; the server closes after the body.
        finish(chunk[9] === 0x32 && chunk[10] === 0x30 && chunk[11] === 0x30, at);
        socket.resume();
      });
      socket.once("error", () => {
        if (sentAt === 0) pendingConnects -= 1;
        finish(false, 0);
      });
      socket.once("close", () => finish(false, 0));
    };
    const launch = (): void => {
      while (pendingConnects < connecting && started < n) {
        started += 1;
        one();
      }
    };
    launch();
  });
}
