// Functions for spawned threads (spawn imports them by URL: a closure cannot cross threads).
import { currentThread, Mutex, Static, useThreadTable } from "../../dist/index.js";

/** Unparks slot `slot` of `tokens` after about `delayMs`. */
export function unparkLater(tokens, slot, delayMs) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delayMs);
  Atomics.store(new Int32Array(tokens), slot, 1);
  Atomics.notify(new Int32Array(tokens), slot, 1);
}

/** Adds 1 to `cells[1]` `rounds` times, each time under the mutex in `cells[0]`, non-atomically. */
export function countUnderLock(buffer, rounds) {
  const cells = new Int32Array(buffer);
  const mutex = new Mutex(cells, 0);
  for (let i = 0; i < rounds; i++) {
    mutex.lock();
    const seen = cells[1];
    cells[1] = seen + 1;
    mutex.unlock();
  }
}

/** Parks until unparked (at most `timeoutMs`), then records whether it was in `result[0]`. */
export function parkOnce(threads, result, timeoutMs) {
  useThreadTable(threads);
  const thread = currentThread();
  Atomics.store(result, 1, thread.slot);
  Atomics.notify(result, 1);
  Atomics.store(result, 0, thread.park(timeoutMs) ? 1 : 2);
}

/** Throws: the thread fails. */
export function fail() {
  throw new RangeError("this thread was asked to fail");
}

/** Never returns (until terminated). */
export function forever() {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

/** Returns at once. */
export function nothing() {}

/** A service's loop: sleeps until asked to stop (cell 1 of its state), as a reactor sleeps in epoll_wait. */
export function serveUntilStopped(state) {
  const cells = new Int32Array(state);
  while (Atomics.load(cells, 1) === 0) Atomics.wait(cells, 1, 0, 1000);
}

/** Reaches the static "probe" its starter runs, and marks its handle's `marker`; never launches one. */
export function attachToProbe() {
  const probe = new Static("probe", (handle) => handle);
  const handle = probe.start(() => {
    throw new Error("a thread started by the probe's thread must not start a second probe");
  });
  Atomics.store(new Int32Array(handle.marker), 0, 1);
}
