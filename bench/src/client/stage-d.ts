// Stage d's single-threaded runtime as a client: one spawned task per request, and no
// reactor thread — the executor itself blocks in epoll_wait when no task is ready.
import {
  coroutine,
  DeadlineError,
  Http,
  initSingleThreaded,
  type SingleThreaded,
  spawn,
  type Waker,
} from "@ch08/d-thread-poll-server";
import type { HttpGetFuture } from "@ch08/http";
import type { BatchOutcome } from "./measure.js";
import { type Client, type ClientJob, pathOf } from "./protocol.js";
import { settle } from "./stage-a.js";

function batch(
  runtime: SingleThreaded,
  job: ClientJob,
  n: number,
  path: (i: number) => string,
): BatchOutcome {
  const leaves: HttpGetFuture<Waker>[] = [];
  const { executor, reactor } = runtime;
  const polls0 = executor.polls;
  const stats0 = reactor.stats();
  let overBudget = false;
  try {
    executor.blockOn(
      // biome-ignore lint/correctness/useYield: it spawns the requests and waits for none.
      coroutine(function* () {
        for (let i = 0; i < n; i++) {
          const leaf = Http.get(path(i));
          leaves.push(leaf);
          spawn(leaf);
        }
      }),
      { timeoutMs: job.budgetMs },
    );
  } catch (error) {
    if (!(error instanceof DeadlineError)) throw error;
    overBudget = true;
  }
  const { ok, leafPolls } = settle(leaves);
  const stats = reactor.stats();
  return {
    ok,
    overBudget,
    leafPolls,
    executorPolls: executor.polls - polls0,
    reactorEvents: stats.events - stats0.events,
    reactorDropped: stats.dropped - stats0.dropped,
  };
}

/** The client: the measured batch (main.ts runs it unmeasured first, to warm up). */
export function client(job: ClientJob): Client {
  const runtime = initSingleThreaded({ verbose: false });
  return {
    run: (n = job.n) => batch(runtime, job, n, (i) => pathOf(job, i)),
  };
}
