import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunSummary, TraceDocument } from "../dist/index.js";

const scratch = mkdtempSync(join(tmpdir(), "trace-test-"));
const helper = join(import.meta.dirname, "helpers", "record.mjs");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(env: Record<string, string>): string {
  return execFileSync(process.execPath, [helper], {
    env: {
      ...process.env,
      RUNTIME_TRACE: "",
      RUNTIME_TIMELINE: "",
      RUNTIME_SVG: "",
      RUNTIME_SUMMARY: "",
      ...env,
    },
    encoding: "utf8",
    timeout: 20_000,
  });
}

describe("recording across threads", () => {
  it("is off unless asked for, and then writes nothing", () => {
    expect(run({})).toBe("tracing=false\n");
  });

  it("RUNTIME_TRACE writes one trace with a track per thread and the wake's arrow to the poll it caused", () => {
    const path = join(scratch, "t.json");
    run({ RUNTIME_TRACE: path });
    const doc = JSON.parse(readFileSync(path, "utf8")) as TraceDocument;
    const names = doc.traceEvents.filter((e) => e.ph === "M").map((e) => e.args?.name);
    expect(names.sort()).toEqual(["main", "reactor"]);
    const wake = doc.traceEvents.find((e) => e.ph === "i" && e.name === "wake");
    expect(wake?.args).toEqual({ token: 42, task: 7, thread: "main" });
    const polls = doc.traceEvents.filter(
      (e) => e.ph === "B" && e.cat === "poll" && e.name === "poll task 7",
    );
    expect(polls).toHaveLength(2);
    const flowStart = doc.traceEvents.find((e) => e.ph === "s");
    const flowEnd = doc.traceEvents.find((e) => e.ph === "f");
    expect(flowStart?.id).toBe(flowEnd?.id);
    expect(flowEnd?.ts).toBe(polls[1]?.ts);
    expect(doc.traceEvents.filter((e) => e.name === "parked").map((e) => e.ph)).toEqual(["B", "E"]);
    expect(doc.traceEvents.find((e) => e.name === "epoll_wait" && e.ph === "E")?.args).toEqual({
      events: 1,
    });
  });

  it("RUNTIME_TIMELINE prints lanes; RUNTIME_SUMMARY counts; RUNTIME_SVG draws", () => {
    const summaryPath = join(scratch, "s.json");
    const svgPath = join(scratch, "t.svg");
    const out = run({ RUNTIME_TIMELINE: "1", RUNTIME_SUMMARY: summaryPath, RUNTIME_SVG: svgPath });
    expect(out).toMatch(/^main +P/m);
    expect(out).toMatch(/^reactor +[~w]/m);
    const summary = JSON.parse(readFileSync(summaryPath, "utf8")) as RunSummary;
    expect(summary).toMatchObject({ polls: 2, wakes: 1, parks: 1, waits: 1, dropped: 0 });
    expect(summary.cpuMs).toBeGreaterThan(0);
    const svg = readFileSync(svgPath, "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain(">reactor<");
  });
});
