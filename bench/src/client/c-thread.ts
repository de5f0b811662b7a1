// Runs on the second executor thread of the c2 client (imported there by
// spawnExecutorThread): silence println, say "ready", wait for "go", spawn the thread's half.

import type { Future } from "@ch08/c-runtime-executor";
import { capturePrintln } from "@ch08/http";
import { type ClientJob, pathOf } from "./protocol.js";
import { Cell, spawnAll } from "./spawn-all.js";

/** The exported function the executor thread calls: returns its half of the batch. */
export function threadBatch(control: SharedArrayBuffer, n: number, job: ClientJob): Future<void> {
  capturePrintln(() => {});
  const cells = new Int32Array(control);
  Atomics.store(cells, Cell.READY, 1);
  Atomics.notify(cells, Cell.READY);
  // Block until the main thread starts its clock, so the thread's start-up is not measured.
  Atomics.wait(cells, Cell.GO, 0);
  return spawnAll(n, (i) => pathOf(job, i), { cells });
}
