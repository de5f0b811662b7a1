import type { DelayServer } from "@ch08/delayserver";
import { newThread, threadTable } from "@ch08/std";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Http, joinAll, runtime, Waker } from "../dist/index.js";
import { capture, EventFuture, EventSource, freshRuntime, startServer } from "./helpers/index.js";

// Stage b's joinAll is still one future to the executor: whichever child's token fires,
// the executor polls the whole JoinAll, which polls every child that has not finished.
// The cost per child grows with the number of children; stage c's tasks remove it.

let server: DelayServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  runtime.shutdown();
  await server.close();
});

interface Row {
  n: number;
  delays: string;
  polls: number;
  wakes: number;
  childPolls: number;
}
const rows: Row[] = [];

afterAll(() => {
  console.log(
    "stage b joinAll (one top-level future):\n" +
      "   N | delays          | top polls | wakes | childPolls | per child\n" +
      rows
        .map(
          (r) =>
            `${String(r.n).padStart(4)} | ${r.delays.padEnd(15)} | ${String(r.polls).padStart(9)} | ` +
            `${String(r.wakes).padStart(5)} | ${String(r.childPolls).padStart(10)} | ` +
            `${(r.childPolls / r.n).toFixed(2).padStart(9)}`,
        )
        .join("\n"),
  );
});

/** Runs `joinAll` over GETs with the given delays and checks how the children were polled. */
function run(delays: number[], label: string): Row {
  const executor = freshRuntime();
  const children = delays.map((delay, i) => Http.get(`/${delay}/child${i}`));
  const join = joinAll(children);
  const printed = capture();
  let outputs: string[];
  try {
    outputs = executor.blockOn(join, { timeoutMs: 10_000 });
  } finally {
    printed.release();
    for (const child of children) child.close();
  }
  const { wakes } = runtime.reactor().stats();
  const row = {
    n: delays.length,
    delays: label,
    polls: executor.polls,
    wakes,
    childPolls: join.childPolls,
  };
  rows.push(row);

  // Every child answered, in order.
  expect(outputs).toHaveLength(delays.length);
  outputs.forEach((text, i) => {
    expect(text).toContain(`child${i}`);
  });
  // No busy polling at the top...
  expect(executor.polls).toBeLessThanOrEqual(1 + wakes);
  // ...but every top-level poll polled every child that had not finished yet: a child
  // that finished on top-level poll k was polled exactly k times, so the children's
  // counts add up to childPolls, the last one to finish was polled on every top-level
  // poll, and none was polled more often than the JoinAll itself.
  const counts = children.map((child) => child.polls);
  expect(counts.reduce((sum, c) => sum + c, 0)).toBe(join.childPolls);
  expect(Math.max(...counts)).toBe(executor.polls);
  // Each child: once to start, at least once more to finish.
  expect(Math.min(...counts)).toBeGreaterThanOrEqual(2);
  expect(join.childPolls).toBeGreaterThanOrEqual(2 * delays.length);
  return row;
}

describe("joinAll of N requests with the same delay", () => {
  it("N = 10: polls every unfinished child on each wake", () => {
    run(Array<number>(10).fill(300), "all 300 ms");
  });

  it("N = 50: the same, with five times as many children to poll each time", () => {
    run(Array<number>(50).fill(300), "all 300 ms");
  });
});

describe("joinAll of N requests with staggered delays", () => {
  it("N = 10, answers 60 ms apart: the same accounting", () => {
    // How many wakes merge depends on the machine's load: the table shows it, the
    // invariants in run() hold either way.
    run(
      Array.from({ length: 10 }, (_, i) => 100 + 60 * i),
      "100 + 60·i ms",
    );
  });
});

describe("joinAll of N children woken one at a time", () => {
  /**
   * The executor's loop by hand, so that each child's event is its own wake: poll the
   * JoinAll, make one child ready (its eventfd fires), park until the reactor wakes us,
   * poll again. No timing involved: the counts are exact.
   */
  function oneAtATime(n: number): Row {
    runtime.shutdown();
    runtime.init();
    const thread = newThread(threadTable(), "driver");
    const waker = new Waker(thread, 0);
    const children = Array.from({ length: n }, () => new EventFuture(new EventSource()));
    const join = joinAll(children);
    let polls = 0;
    try {
      polls++;
      expect(join.poll(waker).ready).toBe(false);
      for (const [i, child] of children.entries()) {
        child.fire();
        expect(thread.park(5000)).toBe(true);
        polls++;
        expect(join.poll(waker).ready).toBe(i === n - 1);
      }
    } finally {
      for (const child of children) child.source.close();
    }
    const row = {
      n,
      delays: "one at a time",
      polls,
      wakes: runtime.reactor().stats().wakes,
      childPolls: join.childPolls,
    };
    rows.push(row);
    return row;
  }

  it("childPolls = N + N(N+1)/2: each wake polls every child still waiting", () => {
    for (const n of [10, 50]) {
      const row = oneAtATime(n);
      expect(row.wakes).toBe(n);
      expect(row.polls).toBe(n + 1);
      // The first poll starts all N; the wake for child i polls the N - i still waiting.
      expect(row.childPolls).toBe(n + (n * (n + 1)) / 2);
    }
    // So the cost per child grows with N: 1 + (N + 1)/2, i.e. 6.5 for 10, 26.5 for 50.
  });
});
