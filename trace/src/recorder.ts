import { isMainThread, threadId, workerData } from "node:worker_threads";

/**
 * What a record says happened. Every record has a time and a thread, plus up to three
 * numbers whose meaning depends on the kind (listed beside each).
 */
export const Kind = {
  /** A task's poll begins (a: task id). */
  POLL_BEGIN: 1,
  /** A task's poll ends (a: task id, b: 1 if ready). */
  POLL_END: 2,
  /** A waker was woken (a: token, b: the woken thread's slot, c: task id). */
  WAKE: 3,
  /** A token fired but had no waker: the wake was dropped (a: token). */
  DROP: 4,
  /** The executor parks its thread. */
  PARK: 5,
  /** The executor's thread was unparked (its park returned). */
  UNPARK: 6,
  /** A source was registered (a: token). */
  REGISTER: 7,
  /** A source was deregistered (a: token). */
  DEREGISTER: 8,
  /** The thread blocks in `Poll.poll` (epoll_wait). */
  WAIT_BEGIN: 9,
  /** `Poll.poll` returned (a: how many events). */
  WAIT_END: 10,
  /** A task was spawned (a: task id). */
  SPAWN: 11,
  /** This thread took a park slot (a: slot), so wakes aimed at that slot can be drawn to it. */
  SLOT: 12,
} as const;

/** One of the `Kind` values. */
export type Kind = (typeof Kind)[keyof typeof Kind];

/** How many records fit; later ones are counted as dropped. */
export const CAPACITY = 1 << 18;
const FIELDS = 6; // time µs, thread id, kind, a, b, c
const MAX_NAMES = 128;
const NAME_BYTES = 48; // 4 bytes thread id + 44 bytes of UTF-8 name

/** The shared memory a trace is recorded into; passed to every thread the runtime starts. */
export interface TraceBuffers {
  /** [0] next record, [1] dropped records, [2] named threads. */
  readonly control: SharedArrayBuffer;
  readonly records: SharedArrayBuffer;
  readonly names: SharedArrayBuffer;
}

/** The environment variables that turn recording on (report.ts says what each writes). */
export const TRACE_VARIABLES = [
  "RUNTIME_TRACE",
  "RUNTIME_TIMELINE",
  "RUNTIME_SVG",
  "RUNTIME_SUMMARY",
] as const;

/** Whether recording is on for this run: one of `TRACE_VARIABLES` is set. */
export function traceRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return TRACE_VARIABLES.some((name) => Boolean(env[name]));
}

function createBuffers(): TraceBuffers {
  return {
    control: new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT),
    records: new SharedArrayBuffer(CAPACITY * FIELDS * Float64Array.BYTES_PER_ELEMENT),
    names: new SharedArrayBuffer(MAX_NAMES * NAME_BYTES),
  };
}

function inheritedBuffers(): TraceBuffers | undefined {
  const data: unknown = workerData;
  if (typeof data !== "object" || data === null || !("trace" in data)) return undefined;
  return (data as { trace?: TraceBuffers }).trace;
}

/** This thread's view of the trace, or undefined when recording is off. */
const buffers: TraceBuffers | undefined = isMainThread
  ? traceRequested()
    ? createBuffers()
    : undefined
  : inheritedBuffers();

/**
 * True when this run records. Recording points check it first — `if (tracing) record(…)`
 * — so with recording off they cost one branch: no string, no allocation.
 */
export const tracing: boolean = buffers !== undefined;

const control = buffers === undefined ? undefined : new Int32Array(buffers.control);
const records = buffers === undefined ? undefined : new Float64Array(buffers.records);
let named = false;

/** The buffers to hand to a new runtime thread in its `workerData.trace` (undefined when off). */
export function traceBuffers(): TraceBuffers | undefined {
  return buffers;
}

// Records from different threads are sorted by time, so every thread must read one clock.
// `performance.timeOrigin + performance.now()` does not give that: each thread's origin is
// taken from the wall clock when it starts, and two threads' can differ by about a
// millisecond here, more than a wake from one thread to another takes, so the poll it
// caused could sort before it. Nor can an offset to `process.hrtime` measured once fix it:
// on this VM `performance.now()` drifts from it by about 4 ms a second. `process.hrtime`
// is the one monotonic clock every thread of the process reads alike.
/** Now, in µs on the process's monotonic clock (the same in every thread). */
function nowUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}

/** Records one event on this thread, now. Call only when `tracing` is true. */
export function record(kind: Kind, a = 0, b = 0, c = 0): void {
  if (control === undefined || records === undefined || buffers === undefined) return;
  if (!named) nameThisThread(buffers, control);
  const index = Atomics.add(control, 0, 1);
  if (index >= CAPACITY) {
    Atomics.add(control, 1, 1);
    return;
  }
  const at = index * FIELDS;
  records[at] = nowUs();
  records[at + 1] = threadId;
  records[at + 2] = kind;
  records[at + 3] = a;
  records[at + 4] = b;
  records[at + 5] = c;
}

function nameThisThread(shared: TraceBuffers, cells: Int32Array): void {
  named = true;
  const slot = Atomics.add(cells, 2, 1);
  if (slot >= MAX_NAMES) return;
  const data: unknown = workerData;
  const name =
    isMainThread || typeof data !== "object" || data === null || !("name" in data)
      ? "main"
      : String((data as { name: unknown }).name);
  const view = new DataView(shared.names, slot * NAME_BYTES, NAME_BYTES);
  view.setInt32(0, threadId, true);
  new Uint8Array(shared.names, slot * NAME_BYTES + 4, NAME_BYTES - 4).set(
    Buffer.from(name, "utf8").subarray(0, NAME_BYTES - 5),
  );
}

/** One recorded event, decoded. */
export interface TraceRecord {
  /** Microseconds since the Unix epoch. */
  readonly time: number;
  readonly thread: number;
  readonly kind: Kind;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

/** Everything recorded so far, in time order, with each thread's name. */
export interface Recording {
  readonly records: readonly TraceRecord[];
  /** Thread id → name (`main`, `reactor`, `exec-1`, …). */
  readonly threads: ReadonlyMap<number, string>;
  /** Records that did not fit. */
  readonly dropped: number;
}

/** Reads the whole recording (call when the threads have stopped recording). */
export function recording(): Recording {
  if (buffers === undefined || control === undefined || records === undefined) {
    return { records: [], threads: new Map(), dropped: 0 };
  }
  const count = Math.min(Atomics.load(control, 0), CAPACITY);
  const list: TraceRecord[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * FIELDS;
    list.push({
      time: records[at] ?? 0,
      thread: records[at + 1] ?? 0,
      kind: (records[at + 2] ?? 0) as Kind,
      a: records[at + 3] ?? 0,
      b: records[at + 4] ?? 0,
      c: records[at + 5] ?? 0,
    });
  }
  // A record's slot is taken before its time is written, so sort by time.
  list.sort((x, y) => x.time - y.time);
  const threads = new Map<number, string>();
  const namesCount = Math.min(Atomics.load(control, 2), MAX_NAMES);
  for (let slot = 0; slot < namesCount; slot++) {
    const view = new DataView(buffers.names, slot * NAME_BYTES, NAME_BYTES);
    const bytes = new Uint8Array(buffers.names, slot * NAME_BYTES + 4, NAME_BYTES - 4);
    const end = bytes.indexOf(0);
    threads.set(
      view.getInt32(0, true),
      Buffer.from(bytes.subarray(0, end < 0 ? bytes.length : end)).toString("utf8"),
    );
  }
  return { records: list, threads, dropped: Atomics.load(control, 1) };
}
