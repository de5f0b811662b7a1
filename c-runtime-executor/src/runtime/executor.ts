import { writeSync } from "node:fs";
import { println } from "@ch08/http";
import {
  currentThread,
  MAX_THREADS,
  OutsideRuntimeError,
  SharedQueue,
  type Spawned,
  spawn as spawnThread,
  type Thread,
  unparkSlot,
} from "@ch08/std";
import { Kind, record, tracing } from "@ch08/trace";
import type { Future, PollState } from "../future.js";
import { NOT_READY, ready } from "../future.js";
import { handle, type ReactorHandle, reactorFailure, startOrAttach, stop } from "./reactor.js";

/**
 * Wakes a task so its executor polls it again (Rust: `Waker`).
 *
 * CHANGED from stage b: it also carries the executor's ready queue, and `wake` pushes
 * the task's id there — so the executor polls only the tasks that were woken, not
 * everything it holds.
 *
 * A JavaScript object never leaves the thread that made it, so a `Waker` is always
 * woken on its executor's own thread, while that executor runs: a plain array does,
 * with no lock and no unpark. Other threads (the reactor) wake a task by the numbers
 * they stored (`storedWaker`): those go through the shared queue and unpark.
 */
export class Waker {
  constructor(
    /** The executor's thread, which other threads unpark. */
    readonly thread: Thread,
    /** The task to poll again. */
    readonly id: number,
    private readonly exec: { woken: Waker[] },
  ) {}

  /** Queues the task on its executor (this thread's: the executor is running, no unpark). */
  wake(): void {
    if (tracing) record(Kind.WAKE, -1, this.thread.slot, this.id);
    this.exec.woken.push(this);
  }
}

/** How the reactor thread wakes a waker it stored as the numbers (`thread`, `task`). */
export function storedWaker(handle: ReactorHandle): (thread: number, task: number) => void {
  const tokens = new Int32Array(handle.threads);
  const cells = new Int32Array(handle.queues);
  const queues: SharedQueue[] = [];
  return (thread, task) => {
    let queue = queues[thread];
    if (queue === undefined) {
      queue = new SharedQueue(cells, thread);
      queues[thread] = queue;
    }
    queue.pushOrMark(task);
    unparkSlot(tokens, thread);
  };
}

/** How many wakes one executor's queue holds before it falls back to polling every task. */
export const QUEUE_CAPACITY = 1 << 14;

/**
 * The ready queue of every thread a runtime can have (Rust: `Arc<Mutex<Vec<usize>>>`),
 * made up front: the reactor thread, with no event loop to receive messages, must reach
 * every queue from the start. A full queue marks itself, and its executor polls every
 * task once: a spurious poll is harmless, a lost wake is not.
 */
export function createReadyQueues(): SharedArrayBuffer {
  return SharedQueue.createMany(MAX_THREADS + 1, QUEUE_CAPACITY);
}

/** Raised when `blockOn` runs past its deadline. */
export class DeadlineError extends Error {
  constructor(timeoutMs: number) {
    super(
      `blockOn gave up after ${timeoutMs} ms: the future was still not ready and no waker ` +
        "woke it. Is the delayserver answering? Does every leaf future store its waker?",
    );
    this.name = "DeadlineError";
  }
}

/** A spawned task threw: its `JoinHandle` (or `blockOn`, for the top-level task) raises this. */
export class TaskFailedError extends Error {
  /** The id of the task that failed. */
  readonly taskId: number;

  constructor(taskId: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`task ${taskId} failed: ${reason}`, { cause });
    this.name = "TaskFailedError";
    this.taskId = taskId;
  }
}

/**
 * A spawned future, what the executor keeps about it, and where its output goes (shared
 * with its `JoinHandle`). It is its own `Waker`: one object per spawn, not three.
 */
class Task<T> extends Waker {
  /** Whether it is in the executor's id map, where wakes from other threads find it. */
  listed = false;
  state: "pending" | "done" | "failed" = "pending";
  value: T | undefined;
  error: unknown;
  /** The waker of the task waiting for this one, if any. */
  joiner: Waker | undefined;
  /** Whether anyone saw the outcome; an unseen failure is reported on stderr. */
  observed = false;
  /** The round in which it was last polled: a task woken twice before it runs is polled once. */
  round = 0;

  constructor(
    thread: Thread,
    id: number,
    exec: { woken: Waker[] },
    readonly future: Future<T>,
    /** The executor's generation it was spawned in: a `blockOn` that gives up abandons it. */
    readonly generation: number,
  ) {
    super(thread, id, exec);
  }
}

/** What one executor thread holds (Rust: the `thread_local!` `CURRENT_EXEC`). */
interface ExecutorCore {
  readonly thread: Thread;
  /** Wakes from other threads (the reactor's), behind a lock, with an unpark. */
  readonly readyQueue: SharedQueue;
  /** Wakes and spawns from this thread: a plain array. */
  woken: Waker[];
  /**
   * The tasks that other threads may wake, by id: those that were once not ready (a
   * task ready on its first poll never gave its waker away, and is never listed).
   */
  readonly tasks: Map<number, Task<unknown>>;
  /** Tasks spawned and not finished. */
  live: number;
  /** Counts the `blockOn`s that gave up: their tasks, abandoned, are never polled again. */
  generation: number;
  readonly failed: Task<unknown>[];
  nextId: number;
  running: boolean;
}

// Module state is per thread in JavaScript: each worker loads its own copy of this
// module, so this is already thread-local.
let core: ExecutorCore | undefined;
let queues: SharedArrayBuffer | undefined;

/** Gives this thread's executor the runtime's ready queues (called by `runtime.init`). */
export function useReadyQueues(buffer: SharedArrayBuffer): void {
  if (queues !== buffer) core = undefined;
  queues = buffer;
}

function currentCore(): ExecutorCore {
  if (core !== undefined) return core;
  if (queues === undefined) throw new OutsideRuntimeError();
  const thread = currentThread();
  core = {
    thread,
    readyQueue: new SharedQueue(queues, thread.slot),
    woken: [],
    tasks: new Map(),
    live: 0,
    generation: 0,
    failed: [],
    nextId: 1,
    running: false,
  };
  return core;
}

/**
 * Hands a future to this thread's executor as a new task; returns a `JoinHandle` that
 * is itself a future of the task's output. Works anywhere on a thread whose runtime is
 * started — inside a task included.
 */
export function spawn<T>(future: Future<T>): JoinHandle<T> {
  const task = spawnTask(currentCore(), future);
  return new JoinHandle(task.id, task);
}

function spawnTask<T>(exec: ExecutorCore, future: Future<T>): Task<T> {
  const id = exec.nextId++;
  const task = new Task(exec.thread, id, exec, future, exec.generation);
  exec.live++;
  if (tracing) record(Kind.SPAWN, id);
  // Spawned on this thread: first polled from the plain array, like a wake from here.
  exec.woken.push(task);
  return task;
}

/** A spawned task's output, as a future: ready when the task is, failing if it failed. */
export class JoinHandle<T> implements Future<T> {
  constructor(
    /** The id of the task it joins. */
    readonly id: number,
    private readonly result: Task<T>,
  ) {}

  /** Ready with the task's output; throws `TaskFailedError` if the task threw. */
  poll(waker: Waker): PollState<T> {
    const { result } = this;
    if (result.state === "pending") {
      result.joiner = waker;
      return NOT_READY;
    }
    result.observed = true;
    if (result.state === "failed") throw new TaskFailedError(this.id, result.error);
    return ready(result.value as T);
  }
}

/** Options for `blockOn`. */
export interface BlockOnOptions {
  /** Give up with a `DeadlineError` after this many milliseconds (default: wait forever). */
  timeoutMs?: number;
}

/**
 * Runs tasks until none is left: pop the ids in the ready queue, poll those tasks,
 * drop the finished; when the queue is empty and tasks remain, park until a waker
 * unparks the thread. One executor per thread; several threads can each run one,
 * all sharing the one reactor.
 */
export class Executor {
  /** How many task polls this executor made (the tests and benchmarks count them). */
  polls = 0;
  /** How many times it parked. */
  parks = 0;

  private round = 0;
  private ready: Waker[] = [];
  /** Ids drained from the shared queue, made once. */
  private readonly fromOtherThreads: number[] = [];

  /** Spawns `future`, runs every task to the end, and returns `future`'s output. */
  blockOn<T>(future: Future<T>, options: BlockOnOptions = {}): T {
    const exec = currentCore();
    if (exec.running)
      throw new Error("blockOn called inside a running executor: spawn the future instead");
    exec.running = true;
    try {
      const main = spawnTask(exec, future);
      this.run(exec, options.timeoutMs);
      return this.outcome(exec, main);
    } catch (error) {
      // Given up (deadline, reactor failure): what is left must not haunt the next blockOn.
      exec.tasks.clear();
      exec.live = 0;
      exec.generation++;
      exec.woken.length = 0;
      throw error;
    } finally {
      exec.running = false;
    }
  }

  private run(exec: ExecutorCore, timeoutMs: number | undefined): void {
    const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    const { thread } = exec;
    for (;;) {
      this.pollReadyTasks(exec);
      if (exec.live === 0) {
        println(`${thread.name}: All tasks are finished`);
        return;
      }
      // Past the deadline: give up before saying we sleep, so `parks` counts real parks.
      const remaining = deadline === undefined ? undefined : deadline - performance.now();
      if (remaining !== undefined && remaining <= 0) throw new DeadlineError(timeoutMs ?? 0);
      println(`${thread.name}: ${exec.live} pending tasks. Sleep until notified.`);
      this.parks++;
      if (tracing) record(Kind.PARK);
      thread.park(remaining);
      if (tracing) record(Kind.UNPARK);
      const failure = reactorFailure();
      if (failure !== undefined) throw failure;
    }
  }

  /** Polls every woken task, until no task is woken any more. */
  private pollReadyTasks(exec: ExecutorCore): void {
    for (;;) {
      // This thread's wakes, then other threads': the arrays swap, so that wakes made
      // while these tasks are polled wait for the next round.
      const ready = exec.woken;
      exec.woken = this.ready;
      this.ready = ready;
      this.drainOtherThreads(exec, ready);
      if (ready.length === 0) return;
      const round = ++this.round;
      const { generation } = exec;
      for (const waker of ready) {
        // A late wake of a finished or abandoned task, and a second wake in one round,
        // find nothing to do.
        if (
          !(waker instanceof Task) ||
          waker.state !== "pending" ||
          waker.generation !== generation ||
          waker.round === round
        ) {
          continue;
        }
        waker.round = round;
        this.pollTask(exec, waker);
      }
      // Emptied by pops: V8 inlines `pop`, while `length = 0` is a call into the runtime.
      while (ready.length > 0) ready.pop();
    }
  }

  /** Adds the tasks other threads woke (by id, through the shared queue) to `ready`. */
  private drainOtherThreads(exec: ExecutorCore, ready: Waker[]): void {
    const ids = this.fromOtherThreads;
    if (exec.readyQueue.drainInto(ids)) {
      // Some wakes were dropped: poll every task once (a spurious poll is harmless).
      for (const task of exec.tasks.values()) ready.push(task);
    }
    if (ids.length === 0) return;
    for (const id of ids) {
      const task = exec.tasks.get(id);
      if (task !== undefined) ready.push(task);
    }
    while (ids.length > 0) ids.pop();
  }

  private pollTask(exec: ExecutorCore, task: Task<unknown>): void {
    this.polls++;
    const result = task;
    let state: PollState<unknown>;
    if (tracing) record(Kind.POLL_BEGIN, task.id);
    try {
      state = task.future.poll(task);
    } catch (error) {
      if (tracing) record(Kind.POLL_END, task.id, 1);
      // A failing task ends alone: the executor and the other tasks go on.
      this.finish(exec, task);
      result.state = "failed";
      result.error = error;
      exec.failed.push(task);
      result.joiner?.wake();
      return;
    }
    if (tracing) record(Kind.POLL_END, task.id, state.ready ? 1 : 0);
    if (!state.ready) {
      // It may have given its waker to the reactor: list it where the reactor's wakes look.
      if (!task.listed) {
        task.listed = true;
        exec.tasks.set(task.id, task);
      }
      return;
    }
    this.finish(exec, task);
    result.state = "done";
    result.value = state.value;
    result.joiner?.wake();
  }

  private finish(exec: ExecutorCore, task: Task<unknown>): void {
    exec.live--;
    if (task.listed) exec.tasks.delete(task.id);
  }

  /** The top-level task's output; reports failures nobody joined on stderr. */
  private outcome<T>(exec: ExecutorCore, main: Task<T>): T {
    const failures = exec.failed.splice(0);
    for (const task of failures) {
      if (task.observed || task.id === main.id) continue;
      const error = task.error;
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      writeSync(2, `${exec.thread.name}: task ${task.id} failed and nobody joined it: ${detail}\n`);
    }
    if (main.state === "failed") throw new TaskFailedError(main.id, main.error);
    if (main.state === "pending")
      throw new Error("unreachable: all tasks finished but the top-level task is pending");
    return main.value as T;
  }

  /** Ends the runtime at the end of a `using` scope: stops the reactor thread. */
  [Symbol.dispose](): void {
    stop();
  }
}

/** An executor running on a thread of its own (Rust: a `JoinHandle<()>` from `thread::spawn`). */
export type ExecutorThread = Spawned;

/**
 * Starts an executor on a new thread that runs `moduleUrl`'s export `exportName` — a
 * function returning the top-level future — with `blockOn` (the book's
 * `thread::spawn(move || { let mut executor = runtime::init(); executor.block_on(…) })`).
 * All executor threads share this process's one reactor.
 */
export function spawnExecutorThread(
  name: string,
  moduleUrl: URL | string,
  exportName: string,
  args: readonly unknown[] = [],
): ExecutorThread {
  return spawnThread(moduleUrl, exportName, {
    name,
    args,
    data: { reactor: handle() },
    runWith: { module: import.meta.url, exportName: "runExecutorThread" },
  });
}

/** An executor thread's body: join the process's reactor, block on the program's future. */
export function runExecutorThread(
  program: (...args: unknown[]) => Future<unknown>,
  ...args: unknown[]
): void {
  useReadyQueues(startOrAttach().queues);
  new Executor().blockOn(program(...args));
}
