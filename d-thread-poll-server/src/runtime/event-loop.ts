import { workerData } from "node:worker_threads";
import { Events, Waker as MioWaker, Poll } from "@ch08/mio";
import { Kind, record, tracing } from "@ch08/trace";
import { Dispatcher, LISTENER_TOKEN } from "../server/dispatcher.js";
import { Control } from "./control.js";
import { storedWaker } from "./executor.js";
import { type ReactorHandle, STOP_TOKEN } from "./reactor.js";
import { TimerHeap, TimerInbox } from "./timers.js";
import { WakerTable } from "./wakers.js";

// The reactor's event loop (the book's `event_loop`), run by reactor-thread.ts on the
// reactor's own thread: block in `Poll.poll`; for every event, wake the waker stored for
// its token; repeat until told to stop. CHANGED in stage d: it also keeps the timers'
// deadlines, and sleeps no longer than the next one.

const { reactor: handle } = workerData as { reactor: ReactorHandle };
const poll = Poll.fromHandle(handle.poll);
const stopWaker = MioWaker.fromHandle(handle.stopWaker);
const wakers = new WakerTable(handle.wakers);
const control = new Int32Array(handle.control);
const events = new Events(100);
const timers = new TimerInbox(handle.timers);
const heap = new TimerHeap();
const nextDeadline = (): number => heap.next();

/** Wakes the executor behind a stored waker (made once: the loop allocates nothing). */
const wakeStored = storedWaker(handle);
/** The token being handled, for the trace. */
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
  if (!wakers.wake(token, wake)) {
    if (tracing) record(Kind.DROP, token);
    Atomics.add(control, Control.DROPPED, 1);
  }
};

/** ADDED in stage d: the multi-threaded server's accepting, when this thread polls for one. */
const dispatcher =
  handle.server === undefined ? undefined : new Dispatcher(handle.server, poll.registry(), fire);

Atomics.store(control, Control.READY, 1);
Atomics.notify(control, Control.READY);

loop: for (;;) {
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
      if (Atomics.load(control, Control.STOP) === 1) break loop;
      dispatcher?.checkStop();
      continue;
    }
    if (token === LISTENER_TOKEN && dispatcher !== undefined) dispatcher.acceptAll();
    else fire(token);
  }
  heap.expire(performance.now(), fire);
}
