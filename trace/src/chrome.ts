import { Kind, type Recording, type TraceRecord } from "./recorder.js";

/** One Chrome trace event (the Trace Event Format read by Perfetto and chrome://tracing). */
export interface TraceEvent {
  name: string;
  ph: "B" | "E" | "i" | "M" | "s" | "f";
  ts: number;
  pid: number;
  tid: number;
  s?: "t";
  id?: number;
  bp?: "e";
  cat?: string;
  args?: Record<string, number | string>;
}

/** The whole JSON document. */
export interface TraceDocument {
  traceEvents: TraceEvent[];
  displayTimeUnit: "ms";
  otherData: { dropped: number };
}

/** Which thread parks in which slot, from the SLOT records. */
export function slotOwners(records: readonly TraceRecord[]): Map<number, number> {
  const owners = new Map<number, number>();
  for (const r of records) if (r.kind === Kind.SLOT) owners.set(r.a, r.thread);
  return owners;
}

/**
 * Turns a recording into trace-event JSON: one track per thread; spans for polls, parks
 * and `epoll_wait`; instants for wakes, registrations and spawns; and an arrow from each
 * wake to the poll it caused.
 */
export function toChromeTrace(recording: Recording): TraceDocument {
  const { records, threads } = recording;
  const start = records[0]?.time ?? 0;
  const ts = (r: TraceRecord): number => Math.round((r.time - start) * 1000) / 1000;
  const events: TraceEvent[] = [];
  for (const [tid, name] of threads) {
    events.push({ name: "thread_name", ph: "M", ts: 0, pid: 1, tid, args: { name } });
  }
  const owners = slotOwners(records);
  let flowId = 0;
  const pendingFlows = new Map<string, number[]>(); // "thread/task" → flow ids waiting for a poll
  for (const r of records) {
    const base = { ts: ts(r), pid: 1, tid: r.thread };
    switch (r.kind) {
      case Kind.POLL_BEGIN: {
        events.push({
          ...base,
          name: `poll task ${r.a}`,
          ph: "B",
          cat: "poll",
          args: { task: r.a },
        });
        const key = `${r.thread}/${r.a}`;
        for (const id of pendingFlows.get(key) ?? []) {
          events.push({ ...base, name: "wake", ph: "f", bp: "e", id, cat: "wake" });
        }
        pendingFlows.delete(key);
        break;
      }
      case Kind.POLL_END:
        events.push({
          ...base,
          name: `poll task ${r.a}`,
          ph: "E",
          cat: "poll",
          args: { ready: r.b },
        });
        break;
      case Kind.WAKE: {
        const target = owners.get(r.b);
        const args = {
          token: r.a,
          task: r.c,
          thread: target === undefined ? `slot ${r.b}` : (threads.get(target) ?? String(target)),
        };
        events.push({ ...base, name: "wake", ph: "i", s: "t", cat: "wake", args });
        if (target !== undefined) {
          const id = ++flowId;
          events.push({ ...base, name: "wake", ph: "s", id, cat: "wake" });
          const key = `${target}/${r.c}`;
          pendingFlows.set(key, [...(pendingFlows.get(key) ?? []), id]);
        }
        break;
      }
      case Kind.DROP:
        events.push({
          ...base,
          name: "wake dropped",
          ph: "i",
          s: "t",
          cat: "wake",
          args: { token: r.a },
        });
        break;
      case Kind.PARK:
        events.push({ ...base, name: "parked", ph: "B", cat: "park" });
        break;
      case Kind.UNPARK:
        events.push({ ...base, name: "parked", ph: "E", cat: "park" });
        break;
      case Kind.WAIT_BEGIN:
        events.push({ ...base, name: "epoll_wait", ph: "B", cat: "poll" });
        break;
      case Kind.WAIT_END:
        events.push({ ...base, name: "epoll_wait", ph: "E", cat: "poll", args: { events: r.a } });
        break;
      case Kind.REGISTER:
        events.push({
          ...base,
          name: "register",
          ph: "i",
          s: "t",
          cat: "io",
          args: { token: r.a },
        });
        break;
      case Kind.DEREGISTER:
        events.push({
          ...base,
          name: "deregister",
          ph: "i",
          s: "t",
          cat: "io",
          args: { token: r.a },
        });
        break;
      case Kind.SPAWN:
        events.push({ ...base, name: "spawn", ph: "i", s: "t", cat: "task", args: { task: r.a } });
        break;
      case Kind.SLOT:
        break;
    }
  }
  return { traceEvents: events, displayTimeUnit: "ms", otherData: { dropped: recording.dropped } };
}
