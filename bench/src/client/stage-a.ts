// Stage a: joinAll over N leaf futures on a Runtime that blocks in epoll_wait. No wakers:
// every event polls the whole joinAll, which polls every unfinished child.
import { type Future, Http, joinAll, type PollState, Runtime } from "@ch08/a-runtime";
import type { HttpGetFuture } from "@ch08/http";
import { type BatchOutcome, BudgetExceeded, isOk } from "./measure.js";
import { type Client, type ClientJob, pathOf } from "./protocol.js";

/** Fails the run once the budget is spent; counts the polls of the top-level future. */
class Budgeted<T> implements Future<T> {
  polls = 0;
  constructor(
    private readonly inner: Future<T>,
    private readonly deadline: number,
    private readonly budgetMs: number,
  ) {}
  poll(): PollState<T> {
    this.polls++;
    if (performance.now() > this.deadline) throw new BudgetExceeded(this.budgetMs);
    return this.inner.poll();
  }
}

/** Complete 200 responses among `futures`; closes the unfinished ones. */
export function settle<W>(futures: readonly HttpGetFuture<W>[]): { ok: number; leafPolls: number } {
  let ok = 0;
  let leafPolls = 0;
  for (const f of futures) {
    leafPolls += f.polls;
    let done = false;
    try {
      done = isOk(f.response.text);
    } catch {
      f.close();
    }
    if (done) ok++;
  }
  return { ok, leafPolls };
}

/** Runs `n` concurrent GETs with stage a's joinAll. */
function batch(
  runtime: Runtime,
  job: ClientJob,
  n: number,
  path: (i: number) => string,
): BatchOutcome {
  const futures = Array.from({ length: n }, (_, i) => Http.get(path(i)));
  const top = new Budgeted(joinAll(futures), performance.now() + job.budgetMs, job.budgetMs);
  let overBudget = false;
  try {
    runtime.blockOn(top);
  } catch (error) {
    if (!(error instanceof BudgetExceeded)) throw error;
    overBudget = true;
  }
  const { ok, leafPolls } = settle(futures);
  return {
    ok,
    overBudget,
    leafPolls,
    executorPolls: top.polls,
    reactorEvents: null,
    reactorDropped: null,
  };
}

/** The client: the measured batch (main.ts runs it unmeasured first, to warm up). */
export function client(job: ClientJob): Client {
  const runtime = new Runtime();
  return {
    run: (n = job.n) => batch(runtime, job, n, (i) => pathOf(job, i)),
  };
}
