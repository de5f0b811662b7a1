import * as mio from "@ch08/mio";
import * as std from "@ch08/std";
import { Kind, record, tracing } from "@ch08/trace";
import type { ServerHandle } from "../server/inbox.js";
import type { Waker } from "./executor.js";
import { TIMERS_PER_WAKE, TimerHeap, TimerInbox } from "./timers.js";

/** How many registrations can wait at once (Rust's HashMap grows; shared memory cannot). */
export const WAKER_CAPACITY = 1 << 16;
/** The token of the reactor's own mio `Waker` (the single-threaded reactor's too). */
export const STOP_TOKEN = mio.Token(0);
/** ADDED in stage d: the server's listener's token on the polling thread (above any handed out). */
export const LISTENER_TOKEN = mio.Token(0x3fff_fffe);
/** The reactor's shared counters (the single-threaded reactor keeps the same ones). */
export const COUNTERS = ["nextId", "waits", "events", "wakes", "dropped"] as const;

/** What another thread needs to reach this process's reactor (sent in `workerData`). */
export interface ReactorHandle extends std.StaticHandle {
  readonly poll: mio.PollHandle;
  readonly stopWaker: mio.WakerHandle;
  readonly wakers: SharedArrayBuffer;
  /** CHANGED from stage b: a ready queue per thread (Rust: `Arc<Mutex<Vec<usize>>>`). */
  readonly queues: SharedArrayBuffer;
  readonly counters: SharedArrayBuffer;
  /** ADDED in stage d: deadlines on their way to the polling thread's timer heap. */
  readonly timers: SharedArrayBuffer;
  /** ADDED in stage d: a listener the polling thread accepts on, for the multi-threaded server. */
  readonly server?: ServerHandle;
  /** ADDED in stage d: a byte per token (modulo `WAKER_CAPACITY`), set when an event said the peer shut its side. */
  readonly readClosed: SharedArrayBuffer;
}

/**
 * ADDED in stage d: notes in `readClosed` (see `ReactorHandle`) that an event said the peer
 * shut its side (EPOLLRDHUP), as tokio keeps "read closed" on a source once it was seen.
 * An edge-triggered FIN that came with the last data raises no edge of its own, so a
 * reader that stops at a short read would not see it until its next event.
 */
export function noteReadClosed(readClosed: Uint8Array, events: mio.Events, i: number): void {
  if (events.isReadClosed(i)) Atomics.store(readClosed, events.token(i) & TOKEN_MASK, 1);
}

const TOKEN_MASK = WAKER_CAPACITY - 1;

/** What the reactor thread has done so far. */
export type ReactorStats = Record<(typeof COUNTERS)[number], number>;

/** The reactor as leaf futures see it; its methods work from any thread. */
export class Reactor {
  readonly #registry: mio.Registry;
  readonly #wakers: std.SharedMap;
  readonly #counters: std.SharedCounters<(typeof COUNTERS)[number]>;
  readonly #timers: TimerInbox;
  readonly #pollWaker: mio.Waker;
  readonly #readClosed: Uint8Array;

  constructor(handle: ReactorHandle) {
    this.#registry = mio.Registry.fromHandle(handle.poll);
    this.#wakers = new std.SharedMap(handle.wakers);
    this.#counters = new std.SharedCounters(COUNTERS, handle.counters);
    this.#timers = new TimerInbox(handle.timers);
    this.#pollWaker = mio.Waker.fromHandle(handle.stopWaker);
    this.#readClosed = new Uint8Array(handle.readClosed);
  }

  /**
   * ADDED in stage d: wakes the waker stored for `id` once `performance.now()` reaches
   * `deadline`. The polling thread keeps the deadlines; it is woken only if it sleeps past this one.
   */
  addTimer(deadline: number, id: number): void {
    if (this.#timers.push(deadline, id, this.#wakePoller)) this.#pollWaker.wake();
  }

  /** Wakes the polling thread (made once: `addTimer` is on every held request's path). */
  readonly #wakePoller = (): void => this.#pollWaker.wake();

  /** Watches `source` for `interest`; events for it carry token `id` (mio's argument order). */
  register(source: mio.Source, id: number, interest: mio.Interest): void {
    Atomics.store(this.#readClosed, id & TOKEN_MASK, 0); // a token reused: its last socket's note goes
    this.#registry.register(source, mio.Token(id), interest);
  }

  /** ADDED in stage d: whether a read must go on to WOULD_BLOCK for the next event to come (mio's `needsDraining`). */
  get needsDraining(): boolean {
    return this.#registry.needsDraining;
  }

  /**
   * ADDED in stage d: whether an event for `id` said the peer shut its side. A hint: true
   * means a read may find end of stream, so a reader that would stop at a short read reads
   * once more (a stale true costs one read that would block, never a wrong answer).
   */
  peerMayHaveClosed(id: number): boolean {
    return Atomics.load(this.#readClosed, id & TOKEN_MASK) === 1;
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

  /** Forgets the waker for `id` (a future whose source never got registered; a timer). */
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
  const queues: std.SharedQueue[] = [];
  return (thread, task) => {
    queues[thread] ??= new std.SharedQueue(handle.queues, thread);
    queues[thread].pushOrMark(task);
    std.unparkSlot(tokens, thread);
  };
}

/**
 * The reactor thread (the book's `event_loop`): block in `Poll.poll`, wake each event's
 * waker. CHANGED in stage d: it also keeps the timers' deadlines, sleeps no longer than
 * the next one, and, given `makeDispatcher` (the server's `Dispatcher`), accepts for the
 * multi-threaded server.
 */
export function eventLoop(
  handle: ReactorHandle,
  makeDispatcher?: (
    server: ServerHandle,
    registry: mio.Registry,
    fire: (token: number) => void,
    acceptAgainAt: (deadline: number) => void,
  ) => { acceptAll(): void; checkStop(): void },
): void {
  const poll = mio.Poll.fromHandle(handle.poll);
  const stopWaker = mio.Waker.fromHandle(handle.stopWaker);
  const wakers = new std.SharedMap(handle.wakers);
  const counters = new std.SharedCounters(COUNTERS, handle.counters);
  const state = new Int32Array(handle.state);
  const events = new mio.Events(100);
  const readClosed = new Uint8Array(handle.readClosed);
  const timers = new TimerInbox(handle.timers);
  const heap = new TimerHeap();
  const nextDeadline = (): number => heap.next();
  const wakeStored = storedWaker(handle);
  let token = 0;
  // Made once, so the loop allocates nothing; counted first, so a woken thread sees it counted.
  const wake = (thread: number, task: number): void => {
    counters.add("wakes");
    if (tracing) record(Kind.WAKE, token, thread, task);
    wakeStored(thread, task);
  };
  /** Wakes the waker stored for a token (an event's, or a due timer's). */
  const fire = (fired: number): void => {
    token = fired;
    counters.add("events");
    if (wakers.get(token, wake)) return;
    if (tracing) record(Kind.DROP, token);
    counters.add("dropped");
  };
  const dispatcher =
    handle.server === undefined || makeDispatcher === undefined
      ? undefined
      : makeDispatcher(handle.server, poll.registry(), fire, (deadline) =>
          heap.push(deadline, LISTENER_TOKEN),
        );
  /** An event's or a due timer's token: the listener's goes to the dispatcher. */
  const dispatch = (fired: number): void => {
    if (fired === LISTENER_TOKEN && dispatcher !== undefined) dispatcher.acceptAll();
    else fire(fired);
  };
  for (;;) {
    const until = timers.drainAndSleepUntil(heap, nextDeadline);
    const timeout =
      until === Number.POSITIVE_INFINITY ? null : Math.max(0, until - performance.now());
    poll.poll(events, timeout);
    timers.awake();
    counters.add("waits");
    for (let i = 0; i < events.length; i++) {
      token = events.token(i);
      if (token === STOP_TOKEN) {
        stopWaker.reset();
        if (std.stopRequested(state)) return;
        dispatcher?.checkStop();
        continue;
      }
      noteReadClosed(readClosed, events, i);
      dispatch(token);
    }
    heap.expire(performance.now(), dispatch, TIMERS_PER_WAKE);
  }
}

/** The process's reactor (Rust: the `static REACTOR`): `stop()` ends it, `failure()` says it died. */
export const REACTOR = new std.Static("reactor", (handle: ReactorHandle) => new Reactor(handle));

/** ADDED in stage d: the single-threaded runtime's own reactor, which this thread uses instead. */
let local: Reactor | undefined;

/**
 * ADDED in stage d: makes `reactor` this thread's reactor (the single-threaded runtime's own),
 * or with `undefined` gives the thread back to the process's. One at a time: a second would
 * take the registrations of futures that the first one's executor waits for.
 */
export function useReactor(reactor: Reactor | undefined): void {
  if (reactor !== undefined) assertNoLocalReactor("useReactor");
  local = reactor;
}

/** ADDED in stage d: whether this thread runs on the process's reactor (started or joined here). */
export function processReactorRuns(): boolean {
  try {
    REACTOR.handle();
    return true;
  } catch (error) {
    if (error instanceof std.OutsideRuntimeError) return false;
    throw error;
  }
}

/**
 * ADDED in stage d: refuses a single-threaded runtime on a thread that runs on the process's
 * reactor: it would take the thread's park slot and ready queues from that runtime's executor.
 */
export function assertNoProcessReactor(what: string): void {
  if (!processReactorRuns()) return; // none started here, or shut down: the thread is free
  throw new std.AlreadyRunningError(
    `${what}: this thread runs on the process's reactor (runtime.init()); call runtime.shutdown() first, or start the single-threaded runtime on a thread of its own`,
  );
}

/** ADDED in stage d: refuses a runtime that waits on the process's reactor while this thread has its own. */
export function assertNoLocalReactor(what: string): void {
  if (local === undefined) return;
  throw new std.AlreadyRunningError(
    `${what}: this thread has a single-threaded runtime open, whose reactor would take every registration made here; use its executor, or close() it first (a second runtime can run on a thread of its own)`,
  );
}

/** The running reactor (the book's `reactor()`); throws outside a runtime. */
export function reactor(): Reactor {
  return local ?? REACTOR.get();
}

/**
 * Starts the reactor thread, or joins the one this thread's starter runs; returns its handle.
 * CHANGED in stage d: with `server`, the reactor thread also accepts on its listener.
 */
export function start(server?: ServerHandle): ReactorHandle {
  assertNoLocalReactor(server === undefined ? "init" : "startServer");
  // A server's polling thread runs this loop from the dispatcher's module, named here and
  // not imported, so that a program that only makes requests never loads the server.
  const [module, exportName] =
    server === undefined
      ? [import.meta.url, "eventLoop"]
      : [new URL("../server/dispatcher.js", import.meta.url).href, "pollingThread"];
  return REACTOR.startService(module, exportName, (cells) => {
    const poll = new mio.Poll();
    const stopWaker = new mio.Waker(poll.registry(), STOP_TOKEN);
    return {
      handle: {
        ...cells,
        poll: poll.handle(),
        stopWaker: stopWaker.handle(),
        wakers: std.SharedMap.create(WAKER_CAPACITY).buffer,
        queues: std.SharedQueue.perThread(),
        counters: new std.SharedCounters(COUNTERS).buffer,
        timers: TimerInbox.create().buffer,
        readClosed: new SharedArrayBuffer(WAKER_CAPACITY),
        ...(server === undefined ? {} : { server }),
      },
      wake: () => stopWaker.wake(),
      release: () => {
        stopWaker.close();
        poll.close();
      },
    };
  });
}
