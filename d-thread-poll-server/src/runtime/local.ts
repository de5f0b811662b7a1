import { Events, Waker as MioWaker, Poll } from "@ch08/mio";
import {
  createThreadTable,
  SharedCounters,
  SharedMap,
  SharedQueue,
  serviceState,
  stopRequested,
  useThreadTable,
} from "@ch08/std";
import { Kind, record, tracing } from "@ch08/trace";
import { Executor, useReadyQueues } from "./executor.js";
import {
  assertNoLocalReactor,
  assertNoProcessReactor,
  COUNTERS,
  noteReadClosed,
  Reactor,
  type ReactorHandle,
  STOP_TOKEN,
  useReactor,
  WAKER_CAPACITY,
} from "./reactor.js";
import { TIMERS_PER_WAKE, TimerHeap, TimerInbox } from "./timers.js";

/** The README experiment `unbounded-wait`: `wait` no longer wakes for the next timer. */
const UNBOUNDED_WAIT = process.env.CH08_EXPERIMENT === "unbounded-wait";

// The counters' cells, found once: the wait loop bumps them with no lookup.
const WAITS = COUNTERS.indexOf("waits");
const EVENTS = COUNTERS.indexOf("events");
const WAKES = COUNTERS.indexOf("wakes");
const DROPPED = COUNTERS.indexOf("dropped");

/**
 * The single-threaded runtime's reactor (the seed's single-threaded model): the same
 * tables as the reactor thread's, but no thread. The executor, when no task is ready,
 * calls `wait`, which blocks in `Poll.poll` itself — bounded by the next timer — and
 * queues the tasks whose tokens fired. A wake costs no cross-thread hop.
 */
export class LocalReactor extends Reactor {
  /** Plain data that lets other threads wake tasks here (the spawner uses it). */
  readonly handle: ReactorHandle;
  private readonly epoll: Poll;
  private readonly wakeUp: MioWaker;
  private readonly events = new Events(256);
  private readonly readClosed: Uint8Array;
  private readonly heap = new TimerHeap();
  private readonly table: SharedMap;
  private readonly counts: Int32Array;
  private readonly wakeStored: (thread: number, task: number) => void;
  /** Called when another thread wakes this runtime's Poll (the server uses it to hear "stop"). */
  onForeignWake: (() => void) | undefined;
  /** The token `fire` is waking, for the trace's WAKE (which names the token, as stage c's does). */
  private firing = 0;
  private readonly fire = (token: number): void => {
    Atomics.add(this.counts, EVENTS, 1);
    this.firing = token;
    if (!this.table.get(token, this.wakeStored)) {
      if (tracing) record(Kind.DROP, token);
      Atomics.add(this.counts, DROPPED, 1);
    }
  };

  constructor() {
    const poll = new Poll();
    const pollWaker = new MioWaker(poll.registry(), STOP_TOKEN);
    const handle: ReactorHandle = {
      poll: poll.handle(),
      stopWaker: pollWaker.handle(),
      wakers: SharedMap.create(WAKER_CAPACITY).buffer,
      threads: createThreadTable(),
      queues: SharedQueue.perThread(),
      counters: new SharedCounters(COUNTERS).buffer,
      state: serviceState(),
      timers: TimerInbox.create().buffer,
      readClosed: new SharedArrayBuffer(WAKER_CAPACITY),
    };
    super(handle);
    this.handle = handle;
    this.epoll = poll;
    this.wakeUp = pollWaker;
    this.table = new SharedMap(handle.wakers);
    this.readClosed = new Uint8Array(handle.readClosed);
    this.counts = new Int32Array(handle.counters);
    // The woken task's executor is this thread, awake (it is the one reading events): only
    // queue the id, no unpark. Wakes from other threads go through `storedWaker` plus the eventfd.
    const cells = new Int32Array(handle.queues);
    const queues: SharedQueue[] = [];
    this.wakeStored = (thread, task) => {
      Atomics.add(this.counts, WAKES, 1);
      if (tracing) record(Kind.WAKE, this.firing, thread, task);
      let queue = queues[thread];
      if (queue === undefined) {
        queue = new SharedQueue(cells, thread);
        queues[thread] = queue;
      }
      queue.pushOrMark(task);
    };
  }

  /** Timers stay on this thread: straight into the heap, no inbox, no wake. */
  override addTimer(deadline: number, id: number): void {
    this.heap.push(deadline, id);
  }

  /**
   * Blocks in `Poll.poll` until an event, the next timer, or `timeoutMs` (undefined: no
   * limit); then queues the tasks whose tokens fired or whose deadlines passed (at most
   * `TIMERS_PER_WAKE` of those: the rest are still due, so the next wait takes no time).
   */
  wait(timeoutMs: number | undefined): void {
    const next = this.heap.next();
    let timeout = timeoutMs ?? null;
    if (next !== Number.POSITIVE_INFINITY && !UNBOUNDED_WAIT) {
      const untilNext = Math.max(0, next - performance.now());
      timeout = timeout === null ? untilNext : Math.min(timeout, untilNext);
    }
    const { events } = this;
    this.epoll.poll(events, timeout);
    Atomics.add(this.counts, WAITS, 1);
    for (let i = 0; i < events.length; i++) {
      const token = events.token(i);
      // Another thread woke us (a spawned job, a stop): its work is in the queues already.
      if (token === STOP_TOKEN) {
        this.wakeUp.reset();
        this.onForeignWake?.();
      } else {
        noteReadClosed(this.readClosed, events, i);
        this.fire(token);
      }
    }
    if (this.heap.size > 0) this.heap.expire(performance.now(), this.fire, TIMERS_PER_WAKE);
  }

  /** Whether another thread asked this runtime to stop (see `SingleThreaded.stop`). */
  get stopRequested(): boolean {
    return stopRequested(new Int32Array(this.handle.state));
  }

  /** Closes the event queue and its waker; the runtime cannot be used after this. */
  close(): void {
    this.wakeUp.close();
    this.epoll.close();
  }
}

/** Options for `initSingleThreaded`. */
export interface SingleThreadedOptions {
  /** Print the book's executor lines (default true; a server says false). */
  verbose?: boolean;
}

/** A single-threaded runtime: its executor, and the reactor that executor waits on. */
export interface SingleThreaded {
  /** Runs futures: `executor.blockOn(future)`. */
  readonly executor: Executor;
  /** Its reactor, whose `wait` the executor calls when idle. */
  readonly reactor: LocalReactor;
  /** Closes the reactor's fds and leaves this thread without a runtime. */
  close(): void;
}

/**
 * Starts the single-threaded runtime on this thread: no reactor thread; the executor
 * blocks in the reactor's `Poll.poll` when no task is ready.
 */
export function initSingleThreaded(options: SingleThreadedOptions = {}): SingleThreaded {
  // One runtime per thread at a time, checked before opening any fd of its own.
  assertNoLocalReactor("initSingleThreaded");
  assertNoProcessReactor("initSingleThreaded");
  const local = new LocalReactor();
  useThreadTable(local.handle.threads);
  useReadyQueues(local.handle.queues);
  useReactor(local);
  const executor = new Executor({
    park: (timeoutMs) => local.wait(timeoutMs),
    verbose: options.verbose ?? true,
  });
  return {
    executor,
    reactor: local,
    close() {
      useReactor(undefined);
      useReadyQueues(undefined); // a later spawn or blockOn here says it is outside a runtime
      local.close();
    },
  };
}
