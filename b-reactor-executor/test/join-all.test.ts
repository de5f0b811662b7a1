import type { DelayServer } from "@ch08/delayserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Http, joinAll, runtime } from "../dist/index.js";
import { capture, freshRuntime, startServer } from "./helpers/index.js";

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
  it("one wake per answer polls all the children still waiting: childPolls grows as N²", () => {
    const small = run(
      Array.from({ length: 5 }, (_, i) => 100 + 60 * i),
      "100 + 60·i ms",
    );
    const large = run(
      Array.from({ length: 10 }, (_, i) => 100 + 60 * i),
      "100 + 60·i ms",
    );
    // Twice the children, answering one by one: more polls per child, not the same.
    expect(large.childPolls / large.n).toBeGreaterThan(small.childPolls / small.n);
  });
});
