import { SelfJoinError, TaskAbandonedError, TaskFailedError, thrownText } from "./errors.js";
import { writeAll } from "./write.js";

// Joining a spawned task is not Rust's std (the book's `spawn` returns nothing; tokio's
// returns a `JoinHandle`), but it is the same for every executor that spawns, so it is
// said once here and a stage's executor keeps only its own step.

/** How a task ended: its output, or what it threw. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/** What a `JoinHandle` reads and writes of the task it joins (any stage's task). */
export interface Joinable {
  readonly id: number;
  readonly future: { close?(): void };
  outcome?: Outcome;
  /** The waker of the task awaiting this one. */
  joiner?: { wake(): void };
  /** Whether anyone saw its failure. */
  observed?: boolean;
}

// The shape of @ch08/http's `PollState`, which std does not import; frozen, so a poll
// that finds the task unfinished allocates nothing.
const PENDING: { readonly ready: false } = Object.freeze({ ready: false });

/** A spawned task's output, as a future: ready when the task is, failing if it failed. */
export class JoinHandle<T> {
  /** The id of the task it joins. */
  readonly id: number;

  constructor(private readonly task: Joinable) {
    this.id = task.id;
  }

  /** Ready with the task's output; throws `TaskFailedError` if the task threw. */
  poll(waker: {
    wake(): void;
  }): { readonly ready: false } | { readonly ready: true; readonly value: T } {
    const { task } = this;
    if (task.outcome === undefined) {
      if ((waker as unknown) === task) throw new SelfJoinError(task.id); // a task is its own waker
      task.joiner = addJoiner(task.joiner, waker);
      return PENDING;
    }
    task.observed = true;
    if (!task.outcome.ok) {
      // An abandoned task did not fail: it was never run to the end. Say that, not "failed".
      if (task.outcome.error instanceof TaskAbandonedError) throw task.outcome.error;
      throw new TaskFailedError(task.id, task.outcome.error);
    }
    return { ready: true, value: task.outcome.value as T };
  }

  /** Releases the task's future (an executor giving up on the task that awaits this one). */
  close(): void {
    this.task.future.close?.();
  }
}

/**
 * Closes `future`, which an executor gives up on. A `close()` that throws is reported on
 * stderr, not raised: the executor's own error (a `DeadlineError`, say) is what its caller
 * must see, and the executor must still forget every task, or its next `blockOn` would
 * wait for them, and fail with the same close error again.
 */
export function closeAbandoned(
  threadName: string,
  future: { close?(): void },
  what = "its future",
): void {
  try {
    future.close?.();
  } catch (error) {
    writeAll(
      2,
      `${threadName}: close() of ${what} threw as blockOn gave up: ${thrownText(error)} (close must not ` +
        "throw; blockOn raised its own error)\n",
    );
  }
}

/**
 * The live tasks of a `blockOn` that gives up: each is closed (`closeAbandoned`) and
 * marked abandoned, so its `JoinHandle`, awaited in a later `blockOn`, raises
 * `TaskAbandonedError` instead of waiting for ever for a task nobody polls.
 */
export function abandonTasks(threadName: string, tasks: Iterable<Joinable>): void {
  for (const task of tasks) {
    task.outcome ??= { ok: false, error: new TaskAbandonedError(task.id) };
    task.observed = true;
    closeAbandoned(threadName, task.future, `task ${task.id}'s future`);
  }
}

/** Several tasks awaiting one handle: the task's end wakes each of them. */
class Joiners {
  readonly wakers: Set<{ wake(): void }>;
  constructor(...wakers: { wake(): void }[]) {
    this.wakers = new Set(wakers);
  }
  wake(): void {
    for (const waker of this.wakers) waker.wake();
  }
}

/**
 * The joiner to keep after `waker` polled the handle. One task polls it with the same
 * waker each time; a second task awaiting the same handle used to replace the first's
 * waker, and the first then waited for ever. So every distinct waker is kept (a stale one
 * costs one spurious poll, which every future handles).
 */
function addJoiner(
  current: { wake(): void } | undefined,
  waker: { wake(): void },
): { wake(): void } {
  if (current === undefined || current === waker) return waker;
  if (current instanceof Joiners) {
    current.wakers.add(waker);
    return current;
  }
  return new Joiners(current, waker);
}

// As Rust prints a panic's message and says `RUST_BACKTRACE=1` shows where: a request
// that fails for a server that hangs up is one line per task, not a stack per task.
const BACKTRACE = process.env.CH08_BACKTRACE === "1";
let backtraceNoted = false;

/**
 * The top-level task's output, once every task has ended. Each failure nobody joined goes
 * on stderr, named by `threadName`, and into `unjoined` (Rust: a panic's message; the
 * program then exits 1); its stack too with `CH08_BACKTRACE=1`.
 */
export function takeOutcome<T>(
  threadName: string,
  main: Joinable,
  failed: Joinable[],
  unjoined: TaskFailedError[],
): T {
  let reported = false;
  for (const task of failed.splice(0)) {
    if (task.observed || task.id === main.id || task.outcome?.ok !== false) continue;
    const { error } = task.outcome;
    const detail =
      error instanceof Error ? (BACKTRACE ? (error.stack ?? error) : error) : thrownText(error);
    writeAll(2, `${threadName}: task ${task.id} failed and nobody joined it: ${detail}\n`);
    unjoined.push(new TaskFailedError(task.id, error));
    reported = true;
  }
  if (reported && !BACKTRACE && !backtraceNoted) {
    backtraceNoted = true; // once per thread: each executor thread reports its own tasks
    writeAll(
      2,
      `${threadName}: note: run with CH08_BACKTRACE=1 to see where each failure was thrown\n`,
    );
  }
  const { outcome } = main;
  if (outcome === undefined) {
    throw new Error("unreachable: all tasks finished but the top-level task is pending");
  }
  if (!outcome.ok) throw new TaskFailedError(main.id, outcome.error);
  return outcome.value as T;
}
