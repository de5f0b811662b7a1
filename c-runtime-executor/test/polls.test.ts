import type { DelayServer } from "@ch08/delayserver";
import { capturePrintln } from "@ch08/http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asyncMain,
  coroutine,
  type Executor,
  type Future,
  Http,
  joinAll,
  type PollState,
  reactor,
  runtime,
  spawn,
  type Waker,
} from "../dist/index.js";
import { silencePrintln, startServer } from "./helpers/server.js";

let server: DelayServer;
let executor: Executor;
let printed: () => string;

beforeAll(async () => {
  server = await startServer();
  printed = silencePrintln();
  executor = runtime.init();
});

afterAll(async () => {
  runtime.shutdown();
  capturePrintln(undefined);
  await server?.close();
});

/** Counts the polls of the future it wraps. */
class Counted<T> implements Future<T> {
  polls = 0;
  constructor(private readonly inner: Future<T>) {}
  poll(waker: Waker): PollState<T> {
    this.polls++;
    return this.inner.poll(waker);
  }
}

interface Row {
  n: number;
  wakes: number;
  polls: number;
  perTask: number;
  maxPerTask: number;
}

/** Spawns `n` tasks, one request each (delays 0–80 ms), and counts polls and reactor wakes. */
function spawnRequests(n: number): Row {
  const tasks: Counted<string>[] = [];
  const wakesBefore = reactor().stats().wakes;
  const pollsBefore = executor.polls;
  executor.blockOn(
    // biome-ignore lint/correctness/useYield: the top-level task only spawns.
    coroutine(function* () {
      for (let i = 0; i < n; i++) {
        const task = new Counted(Http.get(`/${(i % 5) * 20}/task${i}`));
        tasks.push(task);
        spawn(task);
      }
      return "";
    }),
    { timeoutMs: 15_000 },
  );
  const polls = executor.polls - pollsBefore;
  return {
    n,
    wakes: reactor().stats().wakes - wakesBefore,
    polls,
    perTask: (polls - 1) / n,
    maxPerTask: Math.max(...tasks.map((t) => t.polls)),
  };
}

describe("a task is polled once at spawn and once per wake it receives", () => {
  const rows: Row[] = [];

  afterAll(() => {
    console.log(
      ["N      wakes  polls  polls/task  max/task"]
        .concat(
          rows.map(
            (r) =>
              `${String(r.n).padEnd(7)}${String(r.wakes).padEnd(7)}${String(r.polls).padEnd(7)}` +
              `${r.perTask.toFixed(2).padEnd(12)}${r.maxPerTask}`,
          ),
        )
        .join("\n"),
    );
  });

  it.each([10, 1000])("N = %i: polls per task stay constant, total ≤ N + 1 + wakes", (n) => {
    const row = spawnRequests(n);
    rows.push(row);
    // Each task: one poll at spawn, then at most one per wake (two wakes before the
    // executor drains its queue make one poll). The top-level task: one poll.
    expect(row.polls).toBeLessThanOrEqual(n + 1 + row.wakes);
    expect(row.polls / n).toBeLessThanOrEqual(3);
    // Independent of how many other tasks exist: no task is polled for another's wake.
    expect(row.maxPerTask).toBeLessThanOrEqual(4);
  });

  it("whereas joinAll, one future for all, polls every unfinished child on each wake", () => {
    const n = 200;
    const all = joinAll(Array.from({ length: n }, (_, i) => Http.get(`/${(i % 5) * 20}/j${i}`)));
    executor.blockOn(all, { timeoutMs: 15_000 });
    const spawned = spawnRequests(n);
    rows.push(spawned);
    console.log(
      `joinAll, N = ${n}: ${all.childPolls} child polls (${(all.childPolls / n).toFixed(2)} per child)`,
    );
    expect(all.childPolls).toBeGreaterThan(spawned.polls);
  });
});

describe("the concurrency example", () => {
  it("runs five requests concurrently: the wall time is the longest delay, not the sum", () => {
    const before = printed().length;
    const started = performance.now();
    // Delays 0, 100, 200, 300, 400 ms: 400 ms concurrently, 1000 ms one after another.
    const output = executor.blockOn(asyncMain({ delayUnitMs: 100 }), { timeoutMs: 10_000 });
    const wall = performance.now() - started;
    expect(output).toBe("");
    expect(wall).toBeGreaterThanOrEqual(395);
    expect(wall).toBeLessThan(1000);
    const lines = printed().slice(before).split("\n");
    expect(lines[0]).toBe("Program starting");
    expect(lines.filter((l) => l === "FIRST POLL - START OPERATION")).toHaveLength(5);
    // The responses arrive in delay order, whatever order the tasks were polled in.
    expect(lines.filter((l) => l.startsWith("HelloWorld"))).toEqual([
      "HelloWorld0",
      "HelloWorld1",
      "HelloWorld2",
      "HelloWorld3",
      "HelloWorld4",
    ]);
    // The countdown: each park says how many tasks are left, which is 5 minus the
    // responses printed so far — whether the answers came one per round or, on a loaded
    // machine, two in one. A line may repeat: a wake may find its task not finished yet
    // (part of a response) or already polled in this round, and the executor parks again.
    let answered = 0;
    const pending: number[] = [];
    for (const line of lines) {
      if (line.startsWith("HelloWorld")) answered++;
      const left = /^main: (\d+) pending tasks\. Sleep until notified\.$/.exec(line)?.[1];
      if (left === undefined) continue;
      expect(Number(left), `parked after ${answered} answers`).toBe(5 - answered);
      if (Number(left) !== pending.at(-1)) pending.push(Number(left));
    }
    expect(pending.length).toBeGreaterThanOrEqual(1);
    expect(pending.at(-1)).toBeGreaterThanOrEqual(1);
    expect(lines.at(-2)).toBe("main: All tasks are finished");
  });
});
