import { workerData } from "node:worker_threads";
import * as mio from "@ch08/mio";
import * as std from "@ch08/std";
import { Kind, record, tracing } from "@ch08/trace";
import { Dispatcher, LISTENER_TOKEN } from "../server/dispatcher.js";
import type { ServerHandle } from "../server/inbox.js";
import { createReadyQueues, storedWaker, type Waker } from "./executor.js";
import { TimerHeap, TimerInbox } from "./timers.js";

/** The token of the reactor's own mio `Waker`, which tells its thread to stop. */
export const STOP_TOKEN = mio.Token(0);

/** How many registrations can wait at once (Rust's HashMap grows; shared memory cannot). */
export const WAKER_CAPACITY = 1 << 16;

/** How long `start` waits for the reactor thread to be up (it loads koffi and libc). */
const START_TIMEOUT_MS = 10_000;

/**
 * Cells of the reactor's control block, shared by every thread of the runtime: STOP asks
 * the reactor thread to leave its loop; WAITS, EVENTS, WAKES and DROPPED (events whose
 * token had no waker) count what it did; NEXT_ID is the book's `next_id`.
 */
export const Control = { STOP: 0, WAITS: 1, EVENTS: 2, WAKES: 3, DROPPED: 4, NEXT_ID: 5, SIZE: 6 };

/** Everything another thread needs to use this process's reactor (sent in `workerData`). */
export interface ReactorHandle {
  readonly poll: mio.PollHandle;
  readonly stopWaker: mio.WakerHandle;
  readonly wakers: SharedArrayBuffer;
  readonly threads: SharedArrayBuffer;
  /** CHANGED from stage b: every executor thread's ready queue, which the reactor pushes to. */
  readonly queues: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  /** The reactor thread's state cell (`ThreadState`): FAILED means no more wakes. */
  readonly state: SharedArrayBuffer;
  /** ADDED in stage d: deadlines on their way to the polling thread's timer heap. */
  readonly timers: SharedArrayBuffer;
  /** ADDED in stage d: a listener the polling thread accepts on, for the multi-threaded server. */
  readonly server?: ServerHandle;
}

/** What the reactor thread has done so far. */
export type ReactorStats = Record<"waits" | "events" | "wakes" | "dropped", number>;

/** The reactor thread could not start: no wake would ever come. */
export class ReactorStartError extends Error {
  constructor(failed: boolean) {
    super(
      failed
        ? "the reactor thread could not start (its error is on stderr); is the build complete? run `pnpm build`"
        : `the reactor thread did not start within ${START_TIMEOUT_MS} ms: is the machine overloaded?`,
    );
    this.name = "ReactorStartError";
  }
}

/** The reactor thread failed while running: an executor stops waiting for wakes. */
export class ReactorDiedError extends Error {
  constructor() {
    super("the reactor thread failed (its error is on stderr); no more wakes will come");
    this.name = "ReactorDiedError";
  }
}

/**
 * The reactor as leaf futures see it: register a source under a token, store the waker
 * to wake when that token fires, deregister when done. Its methods work from any
 * thread; its event loop (`eventLoop`) runs on a thread of its own.
 */
export class Reactor {
  readonly #wakers: std.SharedMap;
  private readonly control: Int32Array;
  private readonly timers: TimerInbox;
  private readonly pollWaker: mio.Waker;

  constructor(
    private readonly registry: mio.Registry,
    handle: ReactorHandle,
  ) {
    this.#wakers = new std.SharedMap(handle.wakers);
    this.control = new Int32Array(handle.control);
    this.timers = new TimerInbox(handle.timers);
    this.pollWaker = mio.Waker.fromHandle(handle.stopWaker);
  }

  /**
   * ADDED in stage d: wakes the waker stored for `id` once `performance.now()` reaches
   * `deadline`. The polling thread keeps the deadlines; it is woken only if it sleeps past this one.
   */
  addTimer(deadline: number, id: number): void {
    if (this.timers.push(deadline, id)) this.pollWaker.wake();
  }

  /** Watches `source` for `interest`; events for it carry token `id` (mio's argument order). */
  register(source: mio.Source, id: number, interest: mio.Interest): void {
    if (tracing) record(Kind.REGISTER, id);
    this.registry.register(source, mio.Token(id), interest);
  }

  /** Changes what `source` is watched for. */
  reregister(source: mio.Source, id: number, interest: mio.Interest): void {
    this.registry.reregister(source, mio.Token(id), interest);
  }

  /** Stores `waker` for `id`: always the most recent one the future was polled with. */
  setWaker(waker: Waker, id: number): void {
    this.#wakers.set(id, waker.thread.slot, waker.id);
  }

  /** Forgets the waker for `id` and stops watching `source`. */
  deregister(source: mio.Source, id: number): void {
    if (tracing) record(Kind.DEREGISTER, id);
    this.removeWaker(id);
    this.registry.deregister(source);
  }

  /** Forgets the waker for `id` (a future whose source never got registered; a timer). */
  removeWaker(id: number): void {
    this.#wakers.remove(id);
  }

  /** A fresh token (the book's `next_id`). */
  nextId(): number {
    return Atomics.add(this.control, Control.NEXT_ID, 1);
  }

  /** Counts from the reactor thread: waits, events, wakes and dropped wakes. */
  stats(): ReactorStats {
    return {
      waits: Atomics.load(this.control, Control.WAITS),
      events: Atomics.load(this.control, Control.EVENTS),
      wakes: Atomics.load(this.control, Control.WAKES),
      dropped: Atomics.load(this.control, Control.DROPPED),
    };
  }
}

/**
 * The reactor thread's loop (the book's `event_loop`): block in `Poll.poll`; for every
 * event, wake the waker stored for its token; repeat until told to stop. CHANGED in
 * stage d: it also keeps the timers' deadlines, sleeps no longer than the next one, and
 * accepts for the multi-threaded server.
 */
export function eventLoop(handle: ReactorHandle): void {
  const poll = mio.Poll.fromHandle(handle.poll);
  const stopWaker = mio.Waker.fromHandle(handle.stopWaker);
  const wakers = new std.SharedMap(handle.wakers);
  const control = new Int32Array(handle.control);
  const events = new mio.Events(100);
  const timers = new TimerInbox(handle.timers);
  const heap = new TimerHeap();
  const nextDeadline = (): number => heap.next();
  // Made once: the loop allocates nothing.
  const wakeStored = storedWaker(handle);
  let firing = 0;
  const wake = (thread: number, task: number): void => {
    // Counted before it is delivered: a thread this wake unparks always finds it counted.
    Atomics.add(control, Control.WAKES, 1);
    if (tracing) record(Kind.WAKE, firing, thread, task);
    wakeStored(thread, task);
  };
  /** Wakes the waker stored for a token (an event's, or a due timer's). */
  const fire = (token: number): void => {
    Atomics.add(control, Control.EVENTS, 1);
    firing = token;
    if (!wakers.get(token, wake)) {
      if (tracing) record(Kind.DROP, token);
      Atomics.add(control, Control.DROPPED, 1);
    }
  };
  const dispatcher =
    handle.server === undefined ? undefined : new Dispatcher(handle.server, poll.registry(), fire);
  for (;;) {
    const until = timers.drainAndSleepUntil(heap, nextDeadline);
    const timeout =
      until === Number.POSITIVE_INFINITY ? null : Math.max(0, until - performance.now());
    if (tracing) record(Kind.WAIT_BEGIN);
    poll.poll(events, timeout);
    if (tracing) record(Kind.WAIT_END, events.length);
    timers.awake();
    Atomics.add(control, Control.WAITS, 1);
    for (let i = 0; i < events.length; i++) {
      const token = events.token(i);
      if (token === STOP_TOKEN) {
        stopWaker.reset();
        if (Atomics.load(control, Control.STOP) === 1) return;
        dispatcher?.checkStop();
        continue;
      }
      if (token === LISTENER_TOKEN && dispatcher !== undefined) dispatcher.acceptAll();
      else fire(token);
    }
    heap.expire(performance.now(), fire);
  }
}

/** ADDED in stage d: makes `reactor` this thread's reactor (the single-threaded runtime's own). */
export function useReactor(reactor: Reactor | undefined): void {
  current = reactor;
}

/** The reactor this thread uses (Rust: the `static REACTOR`). */
let current: Reactor | undefined;
/** What the starting thread keeps to stop the reactor thread. */
let running:
  | { handle: ReactorHandle; poll: mio.Poll; stopWaker: mio.Waker; state: Int32Array }
  | undefined;

/** The running reactor (the book's `reactor()`); throws outside a runtime. */
export function reactor(): Reactor {
  if (current === undefined) throw new std.OutsideRuntimeError();
  return current;
}

/** The handle of this thread's reactor, to pass to the threads it starts. */
export function handle(): ReactorHandle {
  const handle = running?.handle ?? attached;
  if (handle === undefined) throw new std.OutsideRuntimeError();
  return handle;
}

/** The reactor handle this thread was started with, if it is an executor thread. */
let attached: ReactorHandle | undefined;
/** Its reactor thread's state cell, viewed once (executors check it after every park). */
let attachedState: Int32Array | undefined;

/**
 * Makes the process's reactor this thread's reactor: on an executor thread, the one
 * whose handle the thread was started with; elsewhere, a new one (`start`).
 */
export function startOrAttach(): ReactorHandle {
  const given = (workerData as { reactor?: ReactorHandle } | null)?.reactor;
  if (given === undefined || running !== undefined) return start();
  if (attached !== given) {
    attached = given;
    attachedState = new Int32Array(given.state);
    std.useThreadTable(given.threads);
    current = new Reactor(mio.Registry.fromHandle(given.poll), given);
  }
  return given;
}

/**
 * Starts the reactor thread, blocked in `Poll.poll` on a new `Poll`, and makes it this
 * thread's reactor. Starting it again while it runs returns the same handle.
 */
export function start(server?: ServerHandle): ReactorHandle {
  if (running !== undefined) return running.handle;
  const poll = new mio.Poll();
  const registry = poll.registry();
  const stopWaker = new mio.Waker(registry, STOP_TOKEN);
  const handle: ReactorHandle = {
    poll: poll.handle(),
    stopWaker: stopWaker.handle(),
    wakers: std.SharedMap.create(WAKER_CAPACITY).buffer,
    threads: std.createThreadTable(),
    queues: createReadyQueues(),
    control: new SharedArrayBuffer(Control.SIZE * Int32Array.BYTES_PER_ELEMENT),
    state: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT),
    timers: TimerInbox.create().buffer,
    ...(server === undefined ? {} : { server }),
  };
  Atomics.store(new Int32Array(handle.control), Control.NEXT_ID, 1);
  // Our thread table first: a reactor thread that fails unparks its threads.
  std.useThreadTable(handle.threads);
  // The thread blocks in epoll_wait, not in Node's event loop: it must not keep the
  // process alive by itself (detached). At exit, `stop` wakes it so it can end.
  const thread = std.spawn(import.meta.url, "eventLoop", {
    name: "reactor",
    args: [handle],
    detached: true,
    state: handle.state,
  });
  // If it cannot start, say so now, rather than let an executor park forever.
  if (!thread.waitUntilLoaded(START_TIMEOUT_MS) || thread.status === std.ThreadState.FAILED) {
    const failed = thread.status === std.ThreadState.FAILED;
    release(poll, stopWaker, handle);
    throw new ReactorStartError(failed);
  }
  running = { handle, poll, stopWaker, state: new Int32Array(handle.state) };
  process.once("exit", stop);
  current = new Reactor(registry, handle);
  return handle;
}

/**
 * Stops the reactor thread: asks it to leave its loop, wakes its `Poll` with the mio
 * `Waker`, waits (a bounded time) until it has, then closes the event queue. The
 * process can then exit on its own; `start` makes a new one.
 */
export function stop(): void {
  if (running === undefined) return;
  const { poll, stopWaker, handle } = running;
  running = undefined;
  current = undefined;
  process.removeListener("exit", stop);
  release(poll, stopWaker, handle);
}

/** Tells the reactor thread to leave its loop, waits (bounded) until it has, then closes its fds. */
function release(poll: mio.Poll, stopWaker: mio.Waker, handle: ReactorHandle): void {
  const state = new Int32Array(handle.state);
  Atomics.store(new Int32Array(handle.control), Control.STOP, 1);
  stopWaker.wake();
  Atomics.wait(state, 0, std.ThreadState.RUNNING, 2000);
  // Close the event queue only once the thread has left it: a closed fd's number is soon
  // reused (by the next `start`'s Poll), and a thread still starting up would then wait
  // on that one. Such a thread finds STOP set and the stop waker readable, and ends.
  if (Atomics.load(state, 0) < std.ThreadState.FINISHED) return;
  stopWaker.close();
  poll.close();
}

/** The reactor thread's failure, if it has failed: executors stop waiting for it. */
export function reactorFailure(): Error | undefined {
  const state = running?.state ?? attachedState;
  if (state === undefined || Atomics.load(state, 0) !== std.ThreadState.FAILED) return undefined;
  return new ReactorDiedError();
}
