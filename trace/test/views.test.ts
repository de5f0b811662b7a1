import { describe, expect, it } from "vitest";
import {
  Kind,
  lanes,
  type Recording,
  type TraceRecord,
  textTimeline,
  toChromeTrace,
} from "../dist/index.js";

/** A recording made by hand: main polls, parks, is woken by the reactor, polls again. */
function sample(): Recording {
  const at = (ms: number, thread: number, kind: Kind, a = 0, b = 0, c = 0): TraceRecord => ({
    time: 1_000_000 + ms * 1000,
    thread,
    kind,
    a,
    b,
    c,
  });
  return {
    records: [
      at(0, 0, Kind.SLOT, 1),
      at(0, 0, Kind.POLL_BEGIN, 1),
      at(1, 0, Kind.POLL_END, 1, 0),
      at(1, 0, Kind.PARK),
      at(0, 1, Kind.WAIT_BEGIN),
      at(500, 1, Kind.WAIT_END, 1),
      at(500, 1, Kind.WAKE, 3, 1, 1),
      at(501, 0, Kind.UNPARK),
      at(501, 0, Kind.POLL_BEGIN, 1),
      at(502, 0, Kind.POLL_END, 1, 1),
      at(600, 1, Kind.DROP, 9),
    ].sort((x, y) => x.time - y.time),
    threads: new Map([
      [0, "main"],
      [1, "reactor"],
    ]),
    dropped: 0,
  };
}

describe("views of a recording", () => {
  it("lanes: spans and marks per thread, main first", () => {
    const { lanes: all, durationMs } = lanes(sample());
    expect(durationMs).toBe(600);
    expect(all.map((l) => l.name)).toEqual(["main", "reactor"]);
    expect(all[0]?.spans.filter((s) => s.kind === "park")).toEqual([
      { kind: "park", start: 1, end: 501 },
    ]);
    expect(all[1]?.marks.map((m) => m.kind)).toEqual(["wake", "drop"]);
  });

  it("text timeline: fits the width, marks polls, parks, waits, wakes and drops", () => {
    const text = textTimeline(sample(), 60);
    const lines = text.trimEnd().split("\n");
    for (const line of lines.slice(0, 3)) expect(line.length).toBeLessThanOrEqual(60);
    expect(lines[1]).toMatch(/^main +P_+P$/);
    expect(lines[2]).toMatch(/^reactor +~+w +x$/);
  });

  it("chrome trace: timestamps in µs from the first record; drops as instants", () => {
    const doc = toChromeTrace(sample());
    const secondPoll = doc.traceEvents
      .filter((e) => e.ph === "B" && e.name === "poll task 1")
      .at(1);
    expect(secondPoll?.ts).toBe(501_000);
    expect(doc.traceEvents.some((e) => e.name === "wake dropped" && e.args?.token === 9)).toBe(
      true,
    );
  });

  it("an empty recording says so", () => {
    expect(textTimeline({ records: [], threads: new Map(), dropped: 0 })).toContain(
      "nothing was recorded",
    );
  });
});
