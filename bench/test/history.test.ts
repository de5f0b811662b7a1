// The goals' history: what a full run appends to history.jsonl, and how earlier runs are
// read back and matched goal by goal (a full run itself takes minutes: it is not run here).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  appendRun,
  readHistory,
  recordFor,
  recordText,
  runsBefore,
  verdictsFor,
} from "../src/history.js";
import type { Results } from "../src/results.js";

const dir = mkdtempSync(join(tmpdir(), "ch08-history-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A run with just what the history reads from it. */
function run(commit: string, date: string, met: Record<string, boolean>): Results {
  return {
    machine: { commit, date, loadAverageAtStart: 0.5 },
    loadAverageAtEnd: 0.7,
    goals: Object.entries(met).map(([goal, ok]) => ({ goal, value: "v", met: ok })),
  } as unknown as Results;
}

describe("history.jsonl", () => {
  it("gets one line per appended run, read back oldest first", () => {
    const file = join(dir, "append.jsonl");
    appendRun(file, run("aaa", "2026-01-01T00:00:00.000Z", { spawn: true }));
    appendRun(file, run("bbb", "2026-01-02T00:00:00.000Z", { spawn: false }));
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(2);
    const runs = readHistory(file);
    expect(runs.map((r) => r.commit)).toEqual(["aaa", "bbb"]);
    expect(runs[1]?.loadAverage).toEqual([0.5, 0.7]);
    expect(runs[1]?.goals).toEqual([{ goal: "spawn", value: "v", met: false }]);
  });

  it("is empty when the file does not exist yet", () => {
    expect(readHistory(join(dir, "none.jsonl"))).toEqual([]);
  });

  it("names the file and line of a broken line, and says what to do", () => {
    const file = join(dir, "broken.jsonl");
    writeFileSync(file, '{"date":"2026-01-01","goals":[]}\n{oops\n');
    expect(() => readHistory(file)).toThrow(
      /broken\.jsonl:2 is not a line of JSON .*mend or delete/,
    );
    writeFileSync(file, '{"commit":"x"}\n');
    expect(() => readHistory(file)).toThrow(/broken\.jsonl:1 has no date or no goals/);
  });
});

describe("earlier runs beside this one", () => {
  const history = [
    { commit: "aaa", date: "2026-01-01T00:00:00.000Z", goals: [{ goal: "spawn", met: true }] },
    { commit: "bbb", date: "2026-01-02T00:00:00.000Z", goals: [{ goal: "spawn", met: false }] },
    { commit: "ccc", date: "2026-01-03T00:00:00.000Z", goals: [] },
  ].map((r) => ({
    ...r,
    loadAverage: [1, 1] as const,
    goals: r.goals.map((g) => ({ ...g, value: "v" })),
  }));

  it("are those that started before it, newest first, at most `count`", () => {
    const now = run("ddd", "2026-01-03T00:00:00.000Z", {});
    expect(runsBefore(history, now, 4).map((r) => r.commit)).toEqual(["bbb", "aaa"]);
    expect(runsBefore(history, now, 1).map((r) => r.commit)).toEqual(["bbb"]);
  });

  it("give each goal's verdict by its text, and – where a run did not check it", () => {
    const earlier = [...history].reverse();
    expect(verdictsFor("spawn", earlier)).toEqual(["–", "NO", "yes"]);
  });
});

describe("a goal's record over full runs", () => {
  const runs = (verdicts: (boolean | undefined)[]) =>
    verdicts.map((met, i) => ({
      commit: `r${i}`,
      date: `2026-01-0${9 - i}T00:00:00.000Z`,
      loadAverage: [1, 1] as const,
      goals: met === undefined ? [] : [{ goal: "spawn", value: "v", met }],
    }));

  it("counts the runs that met it, and how many of the newest did one after another", () => {
    const record = recordFor("spawn", runs([true, true, undefined, false, true]));
    expect(record).toEqual({ checked: 4, met: 3, streak: 2 });
    expect(recordText(record)).toBe("3 of 4, the last 2 in a row");
  });

  it("says so when the newest run missed it, when every run met it, and when none checked it", () => {
    expect(recordText(recordFor("spawn", runs([false, true])))).toBe("1 of 2, not the last");
    expect(recordText(recordFor("spawn", runs([true, false])))).toBe("1 of 2, the last");
    expect(recordText(recordFor("spawn", runs([true, true, true])))).toBe("all 3");
    expect(recordText(recordFor("spawn", runs([false, false])))).toBe("none of 2");
    expect(recordText(recordFor("other", runs([true])))).toBe("–");
  });
});
