// Stage b: joinAll over N leaf futures on an executor that parks; the reactor thread
// wakes it. The waker says *that* something is ready, not *what*: joinAll still polls
// every unfinished child on every wake.
import {
  type Future,
  Http,
  joinAll,
  type PollState,
  runtime,
  type Waker,
} from "@ch08/b-reactor-executor";
import { type BatchOutcome, BudgetExceeded } from "./measure.js";
import { type Client, type ClientJob, pathOf } from "./protocol.js";
import { settle } from "./stage-a.js";

/** Fails the run once the budget is spent. */
class Budgeted<T> implements Future<T> {
  constructor(
    private readonly inner: Future<T>,
    private readonly deadline: number,
    private readonly budgetMs: number,
  ) {}
  poll(waker: Waker): PollState<T> {
    if (performance.now() > this.deadline) throw new BudgetExceeded(this.budgetMs);
    return this.inner.poll(waker);
  }
}

function batch(
  executor: runtime.Executor,
  job: ClientJob,
  n: number,
  path: (i: number) => string,
): BatchOutcome {
  const futures = Array.from({ length: n }, (_, i) => Http.get(path(i)));
  const polls0 = executor.polls;
  const stats0 = runtime.reactor().stats();
  let overBudget = false;
  try {
    executor.blockOn(
      new Budgeted(joinAll(futures), performance.now() + job.budgetMs, job.budgetMs),
    );
  } catch (error) {
    if (!(error instanceof BudgetExceeded)) throw error;
    overBudget = true;
  }
  const { ok, leafPolls } = settle(futures);
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
