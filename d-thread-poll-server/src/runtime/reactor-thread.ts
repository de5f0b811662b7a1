import { writeSync } from "node:fs";
import { workerData } from "node:worker_threads";
import { Control } from "./control.js";

// The reactor thread's entry. It runs the event loop (event-loop.ts) and, if the loop
// cannot even load (a broken build, a missing libc) or fails later, says so on stderr
// and unparks every executor. A worker's 'error' event would not do: it is delivered by
// the main thread's event loop, which does not turn while the main executor is parked.

const { reactor } = workerData as {
  reactor: { control: SharedArrayBuffer; threads: SharedArrayBuffer };
};
const control = new Int32Array(reactor.control);
const threads = new Int32Array(reactor.threads);

try {
  await import("./event-loop.js");
} catch (error) {
  writeSync(
    2,
    `reactor thread failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  Atomics.store(control, Control.FAILED, 1);
  if (Atomics.compareExchange(control, Control.READY, 0, -1) === 0)
    Atomics.notify(control, Control.READY);
  // Unpark every thread (cell 0 counts the slots handed out; a thread's cell set to 1 is
  // its park token, see thread.ts) so none sleeps forever waiting for a wake.
  for (let slot = 1; slot < Atomics.load(threads, 0); slot++) {
    Atomics.store(threads, slot, 1);
    Atomics.notify(threads, slot);
  }
} finally {
  Atomics.store(control, Control.STOPPED, 1);
  Atomics.notify(control, Control.STOPPED);
}
