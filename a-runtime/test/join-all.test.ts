import { type DelayServer, startDelayServerThread } from "@ch08/delayserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Http, joinAll, Runtime } from "../dist/index.js";
import { capturedPrintln } from "./helpers.js";

let server: DelayServer;
const out = capturedPrintln();

beforeAll(async () => {
  server = await startDelayServerThread({ port: 0, quiet: true });
  process.env.DELAYSERVER = server.address;
});

afterAll(async () => {
  await server?.close();
});

const DELAY_MS = 300;

/** joinAll of `n` requests; child `i` waits `delay(i)` ms; what it took. */
function join(
  n: number,
  delay: (i: number) => number = () => DELAY_MS,
): { elapsed: number; childPolls: number; waits: number; outputs: string[] } {
  const futures = Array.from({ length: n }, (_, i) => Http.get(`/${delay(i)}/request-${i}`));
  const all = joinAll(futures);
  const runtime = new Runtime();
  const started = performance.now();
  try {
    const outputs = runtime.blockOn(all, { timeoutMs: 10_000 });
    return {
      elapsed: performance.now() - started,
      childPolls: all.childPolls,
      waits: runtime.waits,
      outputs,
    };
  } finally {
    runtime.close();
  }
}

describe("joinAll", () => {
  it("N requests with the same delay run concurrently: about one delay, not N", () => {
    const n = 20;
    const { elapsed, outputs } = join(n);
    expect(elapsed).toBeGreaterThanOrEqual(DELAY_MS - 5);
    expect(elapsed).toBeLessThan(n * DELAY_MS);
    expect(outputs).toHaveLength(n);
    outputs.forEach((text, i) => {
      expect(text.endsWith(`\r\n\r\nrequest-${i}`)).toBe(true);
    });
    // Every child printed its first poll; the runtime slept between polls.
    expect(out.text().split("FIRST POLL - START OPERATION").length - 1).toBeGreaterThanOrEqual(n);
  });

  it("polls every unfinished child on every wake-up: child polls per child grow with N", () => {
    const rows: {
      n: number;
      delays: string;
      childPolls: number;
      perChild: number;
      waits: number;
    }[] = [];
    for (const n of [1, 5, 20, 50]) {
      // All at once: how many wake-ups there are depends on how epoll_wait happens to
      // batch the N answers, so the numbers vary from run to run.
      const same = join(n);
      rows.push({
        n,
        delays: `all ${DELAY_MS} ms`,
        childPolls: same.childPolls,
        perChild: same.childPolls / n,
        waits: same.waits,
      });
      // Staggered by 15 ms: about one wake-up per answer, each polling every child still
      // waiting, so about N + N(N+1)/2 child polls in all: quadratic in N.
      const staggered = join(n, (i) => 100 + 15 * i);
      rows.push({
        n,
        delays: "100 + 15·i ms",
        childPolls: staggered.childPolls,
        perChild: staggered.childPolls / n,
        waits: staggered.waits,
      });
      // At least one poll to start and one to finish, for each child.
      expect(same.childPolls).toBeGreaterThanOrEqual(2 * n);
      expect(staggered.childPolls).toBeGreaterThanOrEqual(2 * n);
      // The total is every unfinished child once per blockOn round (waits + 1 rounds).
      expect(staggered.childPolls).toBeLessThanOrEqual(n * (staggered.waits + 1));
    }
    console.log("stage a joinAll: child polls (no waker, so every wake-up polls every child)");
    console.table(rows);
  });

  it("an empty joinAll is ready at once; outputs come back in the children's order", () => {
    const runtime = new Runtime();
    try {
      expect(runtime.blockOn(joinAll([]))).toEqual([]);
      const texts = runtime.blockOn(
        joinAll([Http.get("/200/slow"), Http.get("/0/fast"), Http.get("/100/middle")]),
        { timeoutMs: 5000 },
      );
      expect(texts.map((t) => t.slice(t.lastIndexOf("\n") + 1))).toEqual([
        "slow",
        "fast",
        "middle",
      ]);
    } finally {
      runtime.close();
    }
  });
});
