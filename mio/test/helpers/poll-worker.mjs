// The other thread of the cross-thread tests. It imports the built package (a worker
// cannot load TypeScript) and does one job named by workerData.job. `control` is an
// Int32Array over a SharedArrayBuffer: slot 0 is "go" (set by the test), slot 1 "done".
import { parentPort, workerData } from "node:worker_threads";
import koffi from "koffi";
import { Events, Interest, Poll, Registry, TcpStream, Waker } from "../../dist/index.js";

const { job } = workerData;
const control = new Int32Array(workerData.control);

function waitForGo(ms) {
  Atomics.wait(control, 0, 0, ms);
}

if (job === "block-in-poll") {
  // Moved Poll: block with no timeout; the test guarantees a wake.
  const poll = Poll.fromHandle(workerData.poll);
  const events = new Events(8);
  parentPort.postMessage({ ready: true });
  const start = Date.now();
  poll.poll(events, null);
  const tokens = [];
  for (let i = 0; i < events.length; i++) tokens.push(events.token(i));
  parentPort.postMessage({ tokens, waitedMs: Date.now() - start });
} else if (job === "wake-later") {
  const waker = Waker.fromHandle(workerData.waker);
  parentPort.postMessage({ ready: true });
  waitForGo(workerData.delayMs);
  waker.wake();
  parentPort.postMessage({ woke: true });
} else if (job === "register") {
  // Registers a connecting stream from this thread on the main thread's poll.
  const registry = Registry.fromHandle(workerData.registry);
  // Optionally let the test thread block in poll first: the registration must wake it.
  if (workerData.delayMs) Atomics.wait(control, 1, 0, workerData.delayMs);
  const stream = TcpStream.connect(workerData.address);
  registry.register(stream, workerData.token, Interest.WRITABLE);
  parentPort.postMessage({ registered: true, fd: stream.fd });
  waitForGo(10_000);
  stream.close();
  parentPort.postMessage({ closed: true });
} else if (job === "signal") {
  // tgkill sends the signal to the test's thread exactly, so its epoll_wait sees EINTR.
  const libc = koffi.load("libc.so.6");
  const tgkill = libc.func("int tgkill(int, int, int)");
  parentPort.postMessage({ ready: true });
  const results = [];
  for (const delay of workerData.delaysMs) {
    Atomics.wait(control, 0, 0, delay);
    results.push(tgkill(process.pid, workerData.tid, workerData.signal));
  }
  parentPort.postMessage({ results });
}
