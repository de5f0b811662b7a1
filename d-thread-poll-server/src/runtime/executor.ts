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
 * the task's id there before unparking — so the executor polls only the tasks that
 * were woken, not everything it holds.
 */
export class Waker {
  constructor(
    /** The executor's thread, unparked by `wake`. */
    readonly thread: Thread,
    /** The task to poll again. */
    readonly id: number,
    private readonly readyQueue: SharedQueue,
  ) {}

  /** Queues the task on its executor and unparks that executor; callable from any thread. */
  wake(): void {
    if (tracing) record(Kind.WAKE, -1, this.thread.slot, this.id);
    this.readyQueue.pushOrMark(this.id);
    this.thread.unpark();
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

/** Where a task's output goes, shared by the task and its `JoinHandle`. */
class TaskResult<T> {
  state: "pending" | "done" | "failed" = "pending";
  value: T | undefined;
  error: unknown;
  /** The waker of the task waiting for this one, if any. */
  joiner: Waker | undefined;
  /** Whether anyone saw the outcome; an unseen failure is reported on stderr. */
  observed = false;
}

/** A spawned future and what the executor keeps about it. */
interface Task {
  readonly id: number;
  readonly future: Future<unknown>;
  readonly waker: Waker;
  readonly result: TaskResult<unknown>;
  /** The round in which it was last polled: a task woken twice before it runs is polled once. */
  round: number;
}

/** What one executor thread holds (Rust: the `thread_local!` `CURRENT_EXEC`). */
interface ExecutorCore {
  readonly thread: Thread;
  readonly readyQueue: SharedQueue;
  readonly tasks: Map<number, Task>;
  readonly failed: Task[];
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
    tasks: new Map(),
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
  const exec = currentCore();
  const id = exec.nextId++;
  const result = new TaskResult<T>();
  const task: Task = {
    id,
    future,
    waker: new Waker(exec.thread, id, exec.readyQueue),
    result: result as TaskResult<unknown>,
    round: 0,
  };
  exec.tasks.set(id, task);
  if (tracing) record(Kind.SPAWN, id);
  exec.readyQueue.pushOrMark(id);
  return new JoinHandle(id, result);
}

/** A spawned task's output, as a future: ready when the task is, failing if it failed. */
export class JoinHandle<T> implements Future<T> {
  constructor(
    /** The id of the task it joins. */
    readonly id: number,
    private readonly result: TaskResult<T>,
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

/**
 * How an executor waits when no task is ready (ADDED in stage d): by default it parks
 * its thread until a waker unparks it; the single-threaded runtime passes its reactor's
 * wait instead, so the executor itself blocks in `epoll_wait`.
 */
export interface ExecutorOptions {
  /** Waits until a wake may have come, or `timeoutMs` passes (undefined: no limit). */
  park?: (timeoutMs: number | undefined) => void;
  /** Print the book's "N pending tasks. Sleep until notified." lines (default true; a server says false). */
  verbose?: boolean;
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
  private readonly ready: number[] = [];

  constructor(private readonly options: ExecutorOptions = {}) {}

  /** Spawns `future`, runs every task to the end, and returns `future`'s output. */
  blockOn<T>(future: Future<T>, options: BlockOnOptions = {}): T {
    const exec = currentCore();
    if (exec.running)
      throw new Error("blockOn called inside a running executor: spawn the future instead");
    exec.running = true;
    try {
      const main = spawn(future);
      this.run(exec, options.timeoutMs);
      return this.outcome(exec, main);
    } catch (error) {
      // Given up (deadline, reactor failure): what is left must not haunt the next blockOn.
      exec.tasks.clear();
      throw error;
    } finally {
      exec.running = false;
    }
  }

  private run(exec: ExecutorCore, timeoutMs: number | undefined): void {
    const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    const { thread, tasks } = exec;
    const { park, verbose = true } = this.options;
    for (;;) {
      this.pollReadyTasks(exec);
      if (tasks.size === 0) {
        if (verbose) println(`${thread.name}: All tasks are finished`);
        return;
      }
      // Past the deadline: give up before saying we sleep, so `parks` counts real parks.
      const remaining = deadline === undefined ? undefined : deadline - performance.now();
      if (remaining !== undefined && remaining <= 0) throw new DeadlineError(timeoutMs ?? 0);
      if (verbose) println(`${thread.name}: ${tasks.size} pending tasks. Sleep until notified.`);
      this.parks++;
      if (park === undefined) {
        if (tracing) record(Kind.PARK);
        thread.park(remaining);
        if (tracing) record(Kind.UNPARK);
      } else park(remaining); // the reactor's wait records itself: in epoll_wait, not parked
      const failure = reactorFailure();
      if (failure !== undefined) throw failure;
    }
  }

  /** Polls every woken task, until no task is woken any more. */
  private pollReadyTasks(exec: ExecutorCore): void {
    const { ready } = this;
    for (;;) {
      ready.length = 0;
      if (exec.readyQueue.drainInto(ready)) {
        for (const id of exec.tasks.keys()) ready.push(id);
      }
      if (ready.length === 0) return;
      const round = ++this.round;
      for (const id of ready) {
        // A finished task's late wake, and a second wake in one round, find nothing to do.
        const task = exec.tasks.get(id);
        if (task === undefined || task.round === round) continue;
        task.round = round;
        this.pollTask(exec, task);
      }
    }
  }

  private pollTask(exec: ExecutorCore, task: Task): void {
    this.polls++;
    const { result } = task;
    let state: PollState<unknown>;
    if (tracing) record(Kind.POLL_BEGIN, task.id);
    try {
      state = task.future.poll(task.waker);
    } catch (error) {
      if (tracing) record(Kind.POLL_END, task.id, 1);
      // A failing task ends alone: the executor and the other tasks go on.
      exec.tasks.delete(task.id);
      result.state = "failed";
      result.error = error;
      exec.failed.push(task);
      result.joiner?.wake();
      return;
    }
    if (tracing) record(Kind.POLL_END, task.id, state.ready ? 1 : 0);
    if (!state.ready) return;
    exec.tasks.delete(task.id);
    result.state = "done";
    result.value = state.value;
    result.joiner?.wake();
  }

  /** The top-level task's output; reports failures nobody joined on stderr. */
  private outcome<T>(exec: ExecutorCore, main: JoinHandle<T>): T {
    const failures = exec.failed.splice(0);
    for (const task of failures) {
      if (task.result.observed || task.id === main.id) continue;
      const error = task.result.error;
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      writeSync(2, `${exec.thread.name}: task ${task.id} failed and nobody joined it: ${detail}\n`);
    }
    const state = main.poll(new Waker(exec.thread, main.id, exec.readyQueue));
    if (!state.ready)
      throw new Error("unreachable: all tasks finished but the top-level task is pending");
    return state.value;
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
