import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DelayServer, startDelayServerThread } from "@ch08/delayserver";
import type { TraceDocument, TraceEvent } from "@ch08/trace";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../dist/stages.js";

let server: DelayServer;
const scratch = mkdtempSync(join(tmpdir(), "ch08-trace-test-"));

beforeAll(async () => {
  server = await startDelayServerThread({ port: 0, quiet: true });
});

afterAll(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs a stage's program with tracing on; returns its stdout and its trace. */
function traced(folder: string, script: string, extraEnv: Record<string, string> = {}) {
  const tracePath = join(scratch, `${folder}-${script}.json`);
  const stdout = execFileSync(process.execPath, [join(ROOT, folder, "dist", script)], {
    env: { ...process.env, DELAYSERVER: server.address, RUNTIME_TRACE: tracePath, ...extraEnv },
    encoding: "utf8",
    timeout: 60_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const trace = JSON.parse(readFileSync(tracePath, "utf8")) as TraceDocument;
  return { stdout, trace };
}

function threadNames(trace: TraceDocument): Map<number, string> {
  const names = new Map<number, string>();
  for (const e of trace.traceEvents) {
    if (e.ph === "M" && e.name === "thread_name") names.set(e.tid, String(e.args?.name));
  }
  return names;
}

/**
 * Every poll of a task after its first is paid for by a wake for that task, aimed at its
 * thread, recorded before it: at each re-poll, the wakes so far are at least the re-polls so
 * far. Counted from the start, not since the last poll, because the parker keeps one token:
 * a second wake that lands after the executor unparked but before its poll began leaves the
 * token set, so the next park returns at once and a poll follows whose wake is older than
 * the poll before it. That is the parker's contract (std's `Thread::park` has it too).
 */
function checkWakeBeforeEveryPoll(trace: TraceDocument): number {
  const names = threadNames(trace);
  const wakes = new Map<string, number>(); // "thread name/task" → wakes recorded so far
  const rePolls = new Map<string, number>(); // "thread name/task" → polls after the first
  const polledOnce = new Set<string>();
  let checked = 0;
  for (const e of trace.traceEvents) {
    if (e.ph === "i" && e.name === "wake") {
      const key = `${e.args?.thread}/${e.args?.task}`;
      wakes.set(key, (wakes.get(key) ?? 0) + 1);
    }
    if (e.ph === "B" && e.cat === "poll" && e.name.startsWith("poll task")) {
      const key = `${names.get(e.tid)}/${e.args?.task}`;
      if (polledOnce.has(key)) {
        const count = (rePolls.get(key) ?? 0) + 1;
        rePolls.set(key, count);
        expect(
          wakes.get(key) ?? 0,
          `re-poll ${count} of ${key} at ${e.ts} µs without a wake of its own before it`,
        ).toBeGreaterThanOrEqual(count);
        checked++;
      }
      polledOnce.add(key);
    }
  }
  return checked;
}

/** Every park on a thread is followed by an unpark on that thread. */
function checkParksEnd(trace: TraceDocument): number {
  const open = new Map<number, TraceEvent>();
  let parks = 0;
  for (const e of trace.traceEvents) {
    if (e.name !== "parked") continue;
    if (e.ph === "B") {
      expect(open.has(e.tid), `thread ${e.tid} parked twice without an unpark`).toBe(false);
      open.set(e.tid, e);
      parks++;
    } else if (e.ph === "E") {
      open.delete(e.tid);
    }
  }
  expect([...open.values()], "parks never unparked").toEqual([]);
  return parks;
}

/**
 * Every flow arrow (a wake → the poll it caused) ends on the first poll of the woken task,
 * on its thread, at or after the wake, and every end has exactly one start: no stale arrows.
 */
function checkFlows(trace: TraceDocument): number {
  const names = threadNames(trace);
  const events = trace.traceEvents;
  const starts = events.filter((e) => e.ph === "s");
  const ends = events.filter((e) => e.ph === "f");
  for (const start of starts) {
    // The wake instant recorded with the start says which task, on which thread.
    const wake = events.find(
      (e) => e.ph === "i" && e.name === "wake" && e.tid === start.tid && e.ts === start.ts,
    );
    const firstPoll = events
      .filter(
        (e) =>
          e.ph === "B" &&
          e.cat === "poll" &&
          e.args?.task === wake?.args?.task &&
          names.get(e.tid) === wake?.args?.thread &&
          e.ts >= start.ts,
      )
      .sort((x, y) => x.ts - y.ts)[0];
    // A finished task's late wake causes no poll, and so has no arrow end.
    const landings = ends.filter((e) => e.id === start.id).map((e) => ({ tid: e.tid, ts: e.ts }));
    expect(landings, `flow ${start.id} lands on the first poll after its wake`).toEqual(
      firstPoll === undefined ? [] : [{ tid: firstPoll.tid, ts: firstPoll.ts }],
    );
  }
  for (const end of ends) {
    expect(starts.filter((e) => e.id === end.id).length, `flow ${end.id} starts once`).toBe(1);
  }
  return starts.length;
}

describe("traces of real runs", () => {
  it("stage c: wakes before polls, parks end, one track per thread (main, reactor)", () => {
    const { trace } = traced("c-runtime-executor", "main.js");
    expect([...threadNames(trace).values()].sort()).toEqual(["main", "reactor"]);
    expect(checkWakeBeforeEveryPoll(trace)).toBeGreaterThanOrEqual(5);
    expect(checkParksEnd(trace)).toBeGreaterThanOrEqual(5);
    const waits = trace.traceEvents.filter((e) => e.name === "epoll_wait" && e.ph === "E");
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((e) => typeof e.args?.events === "number")).toBe(true);
    expect(
      trace.traceEvents.some((e) => e.ph === "s") && trace.traceEvents.some((e) => e.ph === "f"),
    ).toBe(true);
  });

  it("stage c threads: a track for main, exec-1 … exec-11 and the reactor", () => {
    const { trace } = traced("c-runtime-executor", "threads.js");
    const expected = ["main", "reactor", ...Array.from({ length: 11 }, (_, i) => `exec-${i + 1}`)];
    expect([...threadNames(trace).values()].sort()).toEqual(expected.sort());
    expect(checkWakeBeforeEveryPoll(trace)).toBeGreaterThanOrEqual(60);
    checkParksEnd(trace);
    expect(checkFlows(trace)).toBeGreaterThanOrEqual(60);
  });

  it("stage b: the top-level future is polled again only after a wake", () => {
    const { trace } = traced("b-reactor-executor", "main.js");
    // What stage b guarantees: each of the two responses brings a wake and a poll; a
    // spurious wake (the connection becoming writable, say) may add one. Every re-poll
    // follows a park, and the executor parks only when the future was not ready.
    const rePolls = checkWakeBeforeEveryPoll(trace);
    expect(rePolls).toBeGreaterThanOrEqual(2);
    expect(checkParksEnd(trace)).toBe(rePolls);
    expect(checkFlows(trace)).toBeGreaterThanOrEqual(rePolls);
  });

  it("stage d: one track; every re-poll follows a wake from its own epoll_wait, none parks", () => {
    const { trace } = traced("d-thread-poll-server", "main.js");
    expect([...threadNames(trace).values()]).toEqual(["main"]);
    // The five requests' answers: each a wake the executor found in its own epoll_wait.
    expect(checkWakeBeforeEveryPoll(trace)).toBeGreaterThanOrEqual(5);
    expect(checkParksEnd(trace)).toBe(0);
    expect(checkFlows(trace)).toBeGreaterThanOrEqual(5);
  });

  it("RUNTIME_TIMELINE prints one lane per thread within 80 columns", () => {
    const { stdout } = traced("b-reactor-executor", "main.js", { RUNTIME_TIMELINE: "1" });
    const timeline = stdout.slice(stdout.indexOf("timeline:"));
    const lines = timeline.trimEnd().split("\n");
    expect(lines.some((l) => l.startsWith("main "))).toBe(true);
    expect(lines.some((l) => l.startsWith("reactor "))).toBe(true);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });
});

describe("the wake-before-poll check itself", () => {
  /** A one-thread trace from a script of polls ("P") and wakes ("w") of task 0, 1 µs apart. */
  function script(steps: string): TraceDocument {
    const traceEvents: TraceEvent[] = [
      { name: "thread_name", ph: "M", ts: 0, pid: 1, tid: 1, args: { name: "main" } },
    ];
    [...steps].forEach((step, ts) => {
      traceEvents.push(
        step === "P"
          ? { name: "poll task 0", ph: "B", cat: "poll", ts, pid: 1, tid: 1, args: { task: 0 } }
          : {
              name: "wake",
              ph: "i",
              cat: "wake",
              ts,
              pid: 1,
              tid: 2,
              args: { thread: "main", task: 0 },
            },
      );
    });
    return { traceEvents, displayTimeUnit: "ms", otherData: { dropped: 0 } };
  }

  it("accepts two wakes before one poll paying for the poll after it (a kept park token)", () => {
    expect(checkWakeBeforeEveryPoll(script("PwwPP"))).toBe(2);
  });

  it("refuses a re-poll that no wake paid for", () => {
    expect(() => checkWakeBeforeEveryPoll(script("PwPP"))).toThrow(/re-poll 2 of main\/0/);
    expect(() => checkWakeBeforeEveryPoll(script("PP"))).toThrow(/re-poll 1 of main\/0/);
  });
});
