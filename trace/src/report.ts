import { writeFileSync, writeSync } from "node:fs";
import { isMainThread } from "node:worker_threads";
import { toChromeTrace } from "./chrome.js";
import { Kind, type Recording, recording, tracing } from "./recorder.js";
import { svgTimeline } from "./svg.js";
import { textTimeline } from "./timeline.js";

/** Counts of what a run did, for the tour's summary. */
export interface RunSummary {
  wallMs: number;
  cpuMs: number;
  polls: number;
  wakes: number;
  parks: number;
  waits: number;
  dropped: number;
}

/** Counts the polls, wakes, parks and epoll waits in a recording. */
export function summarize(rec: Recording, wallMs: number, cpuMs: number): RunSummary {
  const count = (kind: Kind) => rec.records.filter((r) => r.kind === kind).length;
  return {
    wallMs,
    cpuMs,
    polls: count(Kind.POLL_BEGIN),
    wakes: count(Kind.WAKE),
    parks: count(Kind.PARK),
    waits: count(Kind.WAIT_END),
    dropped: count(Kind.DROP),
  };
}

/**
 * What the environment asked for, done when the process exits: `RUNTIME_TRACE=file`
 * writes Chrome trace JSON, `RUNTIME_TIMELINE=1` prints the text timeline,
 * `RUNTIME_SVG=file` draws it as SVG (titled `RUNTIME_SVG_TITLE`), `RUNTIME_SUMMARY=file`
 * writes the counts as JSON.
 */
function reportAtExit(): void {
  const rec = recording();
  const {
    RUNTIME_TRACE: tracePath,
    RUNTIME_TIMELINE: timeline,
    RUNTIME_SUMMARY: summaryPath,
  } = process.env;
  const { RUNTIME_SVG: svgPath, RUNTIME_SVG_TITLE: title } = process.env;
  if (svgPath) writeFileSync(svgPath, svgTimeline(rec, title ?? process.argv[1] ?? "timeline"));
  if (tracePath) {
    writeFileSync(tracePath, JSON.stringify(toChromeTrace(rec)));
    writeSync(
      2,
      `trace: ${rec.records.length} events written to ${tracePath} (open it in https://ui.perfetto.dev or chrome://tracing)\n`,
    );
  }
  if (timeline) writeSync(1, `\n${textTimeline(rec, Number(process.env.COLUMNS) || 80)}`);
  if (summaryPath) {
    const cpu = process.cpuUsage();
    writeFileSync(
      summaryPath,
      JSON.stringify(summarize(rec, performance.now(), (cpu.user + cpu.system) / 1000)),
    );
  }
}

if (tracing && isMainThread) process.on("exit", reportAtExit);
