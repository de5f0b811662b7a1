import { Kind, type Recording } from "./recorder.js";

/** A stretch of time a thread spent in one state. */
export interface Span {
  readonly kind: "poll" | "park" | "wait";
  readonly start: number;
  readonly end: number;
}

/** A moment something happened on a thread. */
export interface Mark {
  readonly kind: "poll" | "wake" | "drop" | "spawn";
  readonly time: number;
}

/** One thread's activity: what both the text timeline and the SVG draw. */
export interface Lane {
  readonly thread: number;
  readonly name: string;
  readonly spans: readonly Span[];
  readonly marks: readonly Mark[];
}

/** The recording as one lane per thread, times in ms from the first record. */
export function lanes(recording: Recording): { lanes: Lane[]; durationMs: number } {
  const { records, threads } = recording;
  const start = records[0]?.time ?? 0;
  const end = records[records.length - 1]?.time ?? start;
  const byThread = new Map<
    number,
    { spans: Span[]; marks: Mark[]; open: Map<Span["kind"], number> }
  >();
  const laneOf = (thread: number) => {
    let lane = byThread.get(thread);
    if (lane === undefined) {
      lane = { spans: [], marks: [], open: new Map() };
      byThread.set(thread, lane);
    }
    return lane;
  };
  const ms = (time: number): number => (time - start) / 1000;
  for (const r of records) {
    const lane = laneOf(r.thread);
    const t = ms(r.time);
    const open = (kind: Span["kind"]) => lane.open.set(kind, t);
    const close = (kind: Span["kind"]) => {
      const from = lane.open.get(kind);
      if (from === undefined) return;
      lane.open.delete(kind);
      lane.spans.push({ kind, start: from, end: t });
    };
    switch (r.kind) {
      case Kind.POLL_BEGIN:
        open("poll");
        lane.marks.push({ kind: "poll", time: t });
        break;
      case Kind.POLL_END:
        close("poll");
        break;
      case Kind.PARK:
        open("park");
        break;
      case Kind.UNPARK:
        close("park");
        break;
      case Kind.WAIT_BEGIN:
        open("wait");
        break;
      case Kind.WAIT_END:
        close("wait");
        break;
      case Kind.WAKE:
        lane.marks.push({ kind: "wake", time: t });
        break;
      case Kind.DROP:
        lane.marks.push({ kind: "drop", time: t });
        break;
      case Kind.SPAWN:
        lane.marks.push({ kind: "spawn", time: t });
        break;
    }
  }
  const durationMs = ms(end);
  const result: Lane[] = [];
  for (const [thread, lane] of byThread) {
    // A span still open at the end (a thread parked until exit) runs to the end.
    for (const [kind, from] of lane.open) lane.spans.push({ kind, start: from, end: durationMs });
    result.push({
      thread,
      name: threads.get(thread) ?? `thread ${thread}`,
      spans: lane.spans,
      marks: lane.marks,
    });
  }
  result.sort(
    (x, y) =>
      laneOrder(x.name) - laneOrder(y.name) ||
      x.name.localeCompare(y.name, "en", { numeric: true }),
  );
  return { lanes: result, durationMs };
}

function laneOrder(name: string): number {
  return name === "main" ? 0 : name === "reactor" ? 2 : 1;
}
