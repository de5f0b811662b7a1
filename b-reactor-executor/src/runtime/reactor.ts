import * as mio from "@ch08/mio";
import * as std from "@ch08/std";
import { Kind, record, tracing } from "@ch08/trace";
import type { Waker } from "./executor.js";

/** How many registrations can wait at once (Rust's HashMap grows; shared memory cannot). */
export const WAKER_CAPACITY = 1 << 16;
const STOP_TOKEN = mio.Token(0);
const COUNTERS = ["nextId", "waits", "events", "wakes", "dropped"] as const;

/** What another thread needs to reach this process's reactor (sent in `workerData`). */
export interface ReactorHandle extends std.StaticHandle {
  readonly poll: mio.PollHandle;
  readonly stopWaker: mio.WakerHandle;
  readonly wakers: SharedArrayBuffer;
  readonly counters: SharedArrayBuffer;
}

/** What the reactor thread has done so far. */
export type ReactorStats = Record<(typeof COUNTERS)[number], number>;

/** The reactor as leaf futures see it; its methods work from any thread. */
export class Reactor {
  readonly #registry: mio.Registry;
  readonly #wakers: std.SharedMap;
  readonly #counters: std.SharedCounters<(typeof COUNTERS)[number]>;

  constructor(handle: ReactorHandle) {
    this.#registry = mio.Registry.fromHandle(handle.poll);
    this.#wakers = new std.SharedMap(handle.wakers);
    this.#counters = new std.SharedCounters(COUNTERS, handle.counters);
  }

  /** Watches `source` for `interest`; events for it carry token `id` (mio's argument order). */
  register(source: mio.Source, id: number, interest: mio.Interest): void {
    this.#registry.register(source, mio.Token(id), interest);
  }

  /** Changes what `source` is watched for. */
  reregister(source: mio.Source, id: number, interest: mio.Interest): void {
    this.#registry.reregister(source, mio.Token(id), interest);
  }

  /** Stores `waker` for `id`: always the most recent one the future was polled with. */
  setWaker(waker: Waker, id: number): void {
    this.#wakers.set(id, waker.thread.slot, waker.id);
  }

  /** Forgets the waker for `id` and stops watching `source`. */
  deregister(source: mio.Source, id: number): void {
    this.removeWaker(id);
    this.#registry.deregister(source);
  }

  /** Forgets the waker for `id` (a future whose source never got registered). */
  removeWaker(id: number): void {
    this.#wakers.remove(id);
  }

  /** A fresh token (the book's `next_id`). */
  nextId(): number {
    return this.#counters.add("nextId") + 1;
  }

  /** Counts from the reactor thread. */
  stats(): ReactorStats {
    return this.#counters.snapshot();
  }
}

/** How the reactor thread wakes a waker it stored as the numbers (`thread`, `task`). */
export function storedWaker(handle: ReactorHandle): (thread: number, task: number) => void {
  // Here, not in executor.ts: the reactor thread loads neither the executor nor `println`.
  const tokens = new Int32Array(handle.threads);
  // Stage b has no ready queue: its executor has one task, so unparking is the whole wake.
  return (thread) => std.unparkSlot(tokens, thread);
}

/** The reactor thread (the book's `event_loop`): block in `Poll.poll`, wake each event's waker. */
export function eventLoop(handle: ReactorHandle): void {
  const poll = mio.Poll.fromHandle(handle.poll);
  const stopWaker = mio.Waker.fromHandle(handle.stopWaker);
  const wakers = new std.SharedMap(handle.wakers);
  const counters = new std.SharedCounters(COUNTERS, handle.counters);
  const state = new Int32Array(handle.state);
  const events = new mio.Events(100);
  const wakeStored = storedWaker(handle);
  let token = 0;
  // Made once, so the loop allocates nothing; counted first, so a woken thread sees it counted.
  const wake = (thread: number, task: number): void => {
    counters.add("wakes");
    if (tracing) record(Kind.WAKE, token, thread, task);
    wakeStored(thread, task);
  };
  for (;;) {
    poll.poll(events, null);
    counters.add("waits");
    for (let i = 0; i < events.length; i++) {
      token = events.token(i);
      if (token === STOP_TOKEN) {
        stopWaker.reset();
        if (std.stopRequested(state)) return;
        continue;
      }
      counters.add("events");
      if (wakers.get(token, wake)) continue;
      if (tracing) record(Kind.DROP, token);
      counters.add("dropped");
    }
  }
}

/** The process's reactor (Rust: the `static REACTOR`): `stop()` ends it, `failure()` says it died. */
export const REACTOR = new std.Static("reactor", (handle: ReactorHandle) => new Reactor(handle));

/** The running reactor (the book's `reactor()`); throws outside a runtime. */
export function reactor(): Reactor {
  return REACTOR.get();
}

/** Starts the reactor thread, or joins the one this thread's starter runs; returns its handle. */
export function start(): ReactorHandle {
  return REACTOR.startService(import.meta.url, "eventLoop", (cells) => {
    const poll = new mio.Poll();
    const stopWaker = new mio.Waker(poll.registry(), STOP_TOKEN);
    return {
      handle: {
        ...cells,
        poll: poll.handle(),
        stopWaker: stopWaker.handle(),
        wakers: std.SharedMap.create(WAKER_CAPACITY).buffer,
        counters: new std.SharedCounters(COUNTERS).buffer,
      },
      wake: () => stopWaker.wake(),
      release: () => {
        stopWaker.close();
        poll.close();
      },
    };
  });
}
