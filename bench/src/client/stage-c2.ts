// Stage c on two executors: half the requests on the main thread's executor, half on an
// executor thread (spawnExecutorThread), all sharing the one reactor thread.
import { DeadlineError, runtime } from "@ch08/c-runtime-executor";
import type { BatchOutcome } from "./measure.js";
import { type Client, type ClientJob, pathOf } from "./protocol.js";
import { Cell, spawnAll } from "./spawn-all.js";

const cellsBytes = Cell.SIZE * Int32Array.BYTES_PER_ELEMENT;

/** The client: warm-up batches on the main executor, start the second thread (unmeasured), then the batch. */
export function client(job: ClientJob): Client {
  const executor = runtime.init();
  const control = new SharedArrayBuffer(cellsBytes);
  const cells = new Int32Array(control);
  const onThread = Math.floor(job.n / 2);
  let thread: runtime.ExecutorThread | undefined;
  return {
    // The second thread runs one batch and ends, so the warm-up runs the whole batch on
    // the main executor; the second thread's own JIT starts cold in the measured batch.
    warm: (n: number) => {
      const scratch = new Int32Array(new SharedArrayBuffer(cellsBytes));
      executor.blockOn(spawnAll(n, (i) => pathOf(job, i), { cells: scratch }));
    },
    prepare: () => {
      // The thread starts and imports its module now; it then waits for GO.
      thread = runtime.spawnExecutorThread(
        "exec-1",
        new URL("./c-thread.js", import.meta.url),
        "threadBatch",
        [control, onThread, job],
      );
      if (Atomics.wait(cells, Cell.READY, 0, 30_000) === "timed-out") {
        throw new Error("the second executor thread did not start within 30 s");
      }
    },
    run: (): BatchOutcome => {
      if (thread === undefined) throw new Error("prepare() must run before run()");
      const stats0 = runtime.reactor().stats();
      const deadline = performance.now() + job.budgetMs;
      Atomics.store(cells, Cell.GO, 1);
      Atomics.notify(cells, Cell.GO);
      let overBudget = false;
      try {
        executor.blockOn(
          spawnAll(job.n - onThread, (i) => pathOf(job, onThread + i), { cells }),
          {
            timeoutMs: job.budgetMs,
          },
        );
        thread.join(Math.max(1, deadline - performance.now()));
      } catch (error) {
        if (!(error instanceof DeadlineError || String(error).includes("did not finish"))) {
          throw error;
        }
        overBudget = true;
      }
      return {
        ok: Atomics.load(cells, Cell.OK),
        overBudget,
        leafPolls: Atomics.load(cells, Cell.POLLS),
        // Only the main thread's executor is reachable from here.
        executorPolls: null,
        reactorEvents: runtime.reactor().stats().events - stats0.events,
        reactorDropped: runtime.reactor().stats().dropped - stats0.dropped,
      };
    },
  };
}
