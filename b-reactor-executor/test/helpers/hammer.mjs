// A thread that wakes an eventfd (a mio Waker) as fast as it can until told to stop:
// each wake makes the reactor thread wake the waker stored for the eventfd's token, so
// those wakes race the executor going to sleep. Plain JavaScript: a worker loads it
// with Node itself, outside vitest.
import { workerData } from "node:worker_threads";
import { Waker } from "@ch08/mio";

const waker = Waker.fromHandle(workerData.waker);
// control[0]: set to 1 to stop; control[1]: how many wakes were sent.
const control = new Int32Array(workerData.control);
const limit = workerData.limit;

let sent = 0;
while (Atomics.load(control, 0) === 0 && sent < limit) {
  waker.wake();
  sent++;
}
Atomics.store(control, 1, sent);
