// Stage c: one spawned task per request on one executor; the reactor thread pushes the
// woken task's id to the ready queue, so only that task is polled.
import { DeadlineError, runtime, type Waker } from "@ch08/c-runtime-executor";
import type { HttpGetFuture } from "@ch08/http";
import type { BatchOutcome } from "./measure.js";
import { type Client, type ClientJob, pathOf } from "./protocol.js";
import { spawnAll } from "./spawn-all.js";
import { settle } from "./stage-a.js";

function batch(
  executor: runtime.Executor,
  job: ClientJob,
  n: number,
  path: (i: number) => string,
): BatchOutcome {
  const leaves: HttpGetFuture<Waker>[] = [];
  const polls0 = executor.polls;
  const stats0 = runtime.reactor().stats();
  let overBudget = false;
  try {
    executor.blockOn(spawnAll(n, path, { leaves }), { timeoutMs: job.budgetMs });
  } catch (error) {
    if (!(error instanceof DeadlineError)) throw error;
    overBudget = true;
  }
  const { ok, leafPolls } = settle(leaves);
  return {
    ok,
    overBudget,
    leafPolls,
    executorPolls: executor.polls - polls0,
    reactorEvents: runtime.reactor().stats().events - stats0.events,
    reactorDropped: runtime.reactor().stats().dropped - stats0.dropped,
  };
}

/** The client: the measured batch (main.ts runs it unmeasured first, to warm up). */
export function client(job: ClientJob): Client {
  const executor = runtime.init();
  return {
    run: (n = job.n) => batch(executor, job, n, (i) => pathOf(job, i)),
  };
}
