import { type Lane, lanes } from "./lanes.js";
import type { Recording } from "./recorder.js";

const SPAN_CHAR = { poll: "P", park: "_", wait: "~" } as const;
const MARK_CHAR = { poll: "P", wake: "w", drop: "x", spawn: "s" } as const;
// Later in this list wins a column: a poll shows over a wake over idle.
const MARK_ORDER = ["spawn", "drop", "wake", "poll"] as const;

/**
 * A compact text timeline: one lane per thread, time across, `width` columns in all.
 * `P` poll, `w` wake, `s` spawn, `x` dropped wake, `_` parked, `~` blocked in epoll_wait.
 */
export function textTimeline(recording: Recording, width = 80): string {
  const { lanes: all, durationMs } = lanes(recording);
  if (all.length === 0) return "timeline: nothing was recorded\n";
  const label = Math.min(10, Math.max(...all.map((l) => l.name.length))) + 1;
  const columns = Math.max(10, width - label);
  const perColumn = Math.max(durationMs, 1) / columns;
  const lines = [
    `timeline: ${durationMs.toFixed(0)} ms across ${columns} columns (1 column = ${perColumn.toFixed(1)} ms)`,
  ];
  for (const lane of all)
    lines.push(lane.name.slice(0, label - 1).padEnd(label) + row(lane, columns, perColumn));
  lines.push("P poll  w wake  s spawn  x dropped wake  _ parked  ~ in epoll_wait");
  return `${lines.join("\n")}\n`;
}

function row(lane: Lane, columns: number, perColumn: number): string {
  const cells: string[] = new Array(columns).fill(" ");
  const column = (ms: number): number => Math.min(columns - 1, Math.floor(ms / perColumn));
  for (const span of lane.spans) {
    if (span.kind === "poll") continue;
    for (let c = column(span.start); c <= column(span.end); c++) cells[c] = SPAN_CHAR[span.kind];
  }
  for (const kind of MARK_ORDER) {
    for (const mark of lane.marks)
      if (mark.kind === kind) cells[column(mark.time)] = MARK_CHAR[kind];
  }
  return cells.join("").trimEnd();
}
