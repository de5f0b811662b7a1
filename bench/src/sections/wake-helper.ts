// The helper thread of section 5 (a plain worker_thread, not an executor). In "reactor",
// "epoll" and "atomics" modes it waits for its turn, lets the other side go to sleep,
// stamps the time and wakes it: through a mio Waker (eventfd) that the reactor (or a bare
// Poll) watches, or with Atomics.notify.
// In "pong" mode it answers pings, for mitata's round-trip measurement. In "relay" mode it
// is the bare reactor: it waits in a Poll and passes each wake on with Atomics.notify.
import { workerData } from "node:worker_threads";
import { Events, Waker as MioWaker, Poll, type PollHandle, type WakerHandle } from "@ch08/mio";
import { holdThreadTo } from "../libc.js";
import { Cell, type HelperData } from "./wake-protocol.js";

const data = workerData as HelperData;
if (data.cpu !== undefined) holdThreadTo([data.cpu]);
const cells = new Int32Array(data.control);
const stamp = new BigInt64Array(data.stamp);
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

function waitFor(index: number): void {
  // Take the signal (1 → 0); sleep while it is 0.
  while (Atomics.compareExchange(cells, index, 1, 0) !== 1) {
    if (Atomics.load(cells, Cell.STOP) === 1) return;
    if (Atomics.wait(cells, index, 0, 10_000) === "timed-out") {
      throw new Error(`wake helper: no signal on cell ${index} for 10 s`);
    }
  }
}

if (data.mode === "relay") {
  const poll = Poll.fromHandle(data.poll as PollHandle);
  const events = new Events(8);
  while (Atomics.load(cells, Cell.STOP) !== 1) {
    poll.poll(events, 1000);
    if (events.length === 0) continue;
    Atomics.store(cells, Cell.FLAG, 1);
    Atomics.notify(cells, Cell.FLAG);
  }
} else if (data.mode === "pong") {
  for (;;) {
    waitFor(Cell.PING);
    if (Atomics.load(cells, Cell.STOP) === 1) break;
    Atomics.store(cells, Cell.PONG, 1);
    Atomics.notify(cells, Cell.PONG);
  }
} else {
  const waker =
    data.mode === "atomics" ? undefined : MioWaker.fromHandle(data.waker as WakerHandle);
  for (let i = 0; i < data.samples; i++) {
    waitFor(Cell.TURN);
    if (Atomics.load(cells, Cell.STOP) === 1) break;
    // Give the other side time to go to sleep: the wake must find it parked.
    Atomics.wait(sleepCell, 0, 0, data.gapMs);
    Atomics.store(stamp, 0, process.hrtime.bigint());
    if (waker !== undefined) {
      waker.wake();
    } else {
      Atomics.store(cells, Cell.FLAG, 1);
      Atomics.notify(cells, Cell.FLAG);
    }
  }
}
