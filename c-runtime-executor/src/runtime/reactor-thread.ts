import { writeSync } from "node:fs";
import { workerData } from "node:worker_threads";
import { Events, Waker as MioWaker, Poll } from "@ch08/mio";
import { Kind, record, tracing } from "@ch08/trace";
import { storedWaker } from "./executor.js";
import { Control, type ReactorHandle, STOP_TOKEN } from "./reactor.js";
import { unparkSlot } from "./thread.js";
import { WakerTable } from "./wakers.js";

// The reactor's event loop, on its own thread: block in `Poll.poll`; for every event,
// wake the waker stored for its token; repeat until told to stop.

const { reactor: handle } = workerData as { reactor: ReactorHandle };
const poll = Poll.fromHandle(handle.poll);
const stopWaker = MioWaker.fromHandle(handle.stopWaker);
const wakers = new WakerTable(handle.wakers);
const threads = new Int32Array(handle.threads);
const control = new Int32Array(handle.control);
const events = new Events(100);

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

try {
  loop: for (;;) {
    if (tracing) record(Kind.WAIT_BEGIN);
    poll.poll(events, null);
    if (tracing) record(Kind.WAIT_END, events.length);
    Atomics.add(control, Control.WAITS, 1);
    for (let i = 0; i < events.length; i++) {
      const token = events.token(i);
      if (token === STOP_TOKEN) {
        stopWaker.reset();
        if (Atomics.load(control, Control.STOP) === 1) break loop;
        continue;
      }
      Atomics.add(control, Control.EVENTS, 1);
      firing = token;
      if (!wakers.wake(token, wake)) {
        if (tracing) record(Kind.DROP, token);
        Atomics.add(control, Control.DROPPED, 1);
      }
    }
  }
} catch (error) {
  writeSync(
    2,
    `reactor thread failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  Atomics.store(control, Control.FAILED, 1);
  // Unpark every thread so no executor sleeps forever waiting for a wake that won't come.
  for (let slot = 1; slot < Atomics.load(threads, 0); slot++) unparkSlot(threads, slot);
} finally {
  Atomics.store(control, Control.STOPPED, 1);
  Atomics.notify(control, Control.STOPPED);
}
