// Programs for executor threads (spawnExecutorThread imports them by URL: a worker
// cannot load .ts, and a closure cannot cross threads).
import { capturePrintln } from "@ch08/http";
import { currentThread } from "@ch08/std";
import { coroutine, Http, NOT_READY, ready, spawn, wait } from "../../dist/index.js";

/**
 * Spawns five requests (delays i × delayUnitMs); each that gets its own message back
 * adds 1 to `counts[index]`. The executor's thread slot goes to the other end of
 * `counts` (`counts[counts.length - 1 - index]`).
 */
export function fiveRequests(counts, index, delayUnitMs, quiet = true) {
  if (quiet) capturePrintln(() => {});
  // biome-ignore lint/correctness/useYield: like the book's async_main, it only spawns.
  return coroutine(function* () {
    Atomics.store(counts, counts.length - 1 - index, currentThread().slot);
    for (let i = 0; i < 5; i++) {
      spawn(
        coroutine(function* () {
          const message = `thread${index}-request${i}`;
          const txt = yield* wait(Http.get(`/${i * delayUnitMs}/${message}`));
          if (txt.endsWith(`\r\n\r\n${message}`)) Atomics.add(counts, index, 1);
        }),
      );
    }
    return "";
  });
}

/** A program that never finishes (nothing ever wakes it). */
export function never() {
  capturePrintln(() => {});
  return { poll: () => NOT_READY };
}

/**
 * Spawns `n` requests the delayserver answers at once (`/0/…`); each answered adds 1 to
 * `counts[index]`. Immediate answers race the leaf future's registration: a waker stored
 * after the socket is registered would miss them.
 */
export function immediateRequests(counts, index, n) {
  capturePrintln(() => {});
  // biome-ignore lint/correctness/useYield: it only spawns.
  return coroutine(function* () {
    for (let i = 0; i < n; i++) {
      spawn(
        coroutine(function* () {
          const txt = yield* wait(Http.get(`/0/t${index}r${i}`));
          if (txt.endsWith(`\r\n\r\nt${index}r${i}`)) Atomics.add(counts, index, 1);
        }),
      );
    }
    return "";
  });
}

/** A program that is ready on its first poll (a thread that only loads and ends). */
export function atOnce() {
  capturePrintln(() => {});
  return { poll: () => ready("") };
}
