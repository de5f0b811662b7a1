import { checkFuture, isReady, println } from "@ch08/http";
import * as std from "@ch08/std";
import { Kind, record, tracing } from "@ch08/trace";
import type { Future } from "../future.js";
import { REACTOR, start } from "./reactor.js";

/** The README's `lifo` experiment: newest first, as the book's `Vec::pop` hands them out. */
const LIFO = process.env.CH08_EXPERIMENT === "lifo";

/**
 * Wakes a task so its executor polls it again (Rust: `Waker`). CHANGED from stage b: it
 * queues the task, so the executor polls only woken tasks. An object never leaves its
 * thread, so it queues on a plain array; the reactor wakes by numbers (`storedWaker`).
 */
export class Waker {
  constructor(
    /** The executor's thread: the reactor stores its slot, and unparks it. */
    readonly thread: std.Thread,
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

/** A spawned future and its outcome; it is its own `Waker`, so a spawn makes one object. */
class Task extends Waker implements std.Joinable {
  outcome?: std.Outcome;
  joiner?: Waker;
  observed?: boolean;
  /** The round it was last polled in: woken twice before it runs, it is polled once. */
  round = 0;
  /** Whether it is in `tasks`, where wakes from other threads find it. */
  listed = false;

  constructor(
    exec: ExecutorCore,
    readonly future: Future<unknown>,
    /** The generation it was spawned in: a `blockOn` that gives up abandons it. */
    readonly generation = exec.generation,
  ) {
    super(exec.thread, exec.nextId++, exec);
  }
}

/** What one executor thread holds (Rust: the `thread_local!` `CURRENT_EXEC`). */
class ExecutorCore {
  readonly thread = std.currentThread();
  /** Wakes from other threads (the reactor's), behind a lock, with an unpark. */
  readonly readyQueue: std.SharedQueue;
  /** Wakes and spawns from this thread: a plain array. */
  woken: Waker[] = [];
  /** The tasks other threads may wake, by id: those that were once not ready. */
  readonly tasks = new Map<number, Task>();
  /** Tasks spawned and not finished. */
  live = 0;
  /** Counts the `blockOn`s that gave up: their tasks are never polled again. */
  generation = 0;
  readonly failed: Task[] = [];
  nextId = 1;
  running = false;

  constructor(readonly queues: SharedArrayBuffer) {
    this.readyQueue = new std.SharedQueue(queues, this.thread.slot);
  }
}

// Module state is per thread in JavaScript (each worker loads its own copy): thread-local.
let core: ExecutorCore | undefined;

function currentCore(): ExecutorCore {
  const { queues } = REACTOR.handle(); // outside a runtime: OutsideRuntimeError
  if (core?.queues !== queues) core = new ExecutorCore(queues); // a new runtime: a new core
  return core;
}

/** Hands a future to this thread's executor as a new task, from anywhere inside the runtime. */
export function spawn<T>(future: Future<T>): std.JoinHandle<T> {
  return new std.JoinHandle(spawnTask(currentCore(), future));
}

function spawnTask(exec: ExecutorCore, future: Future<unknown>): Task {
  const task = new Task(exec, checkFuture(future, "spawn or blockOn was given"));
  exec.live++;
  if (tracing) record(Kind.SPAWN, task.id);
  exec.woken.push(task); // spawned on this thread: polled from the plain array
  return task;
}

/** Runs tasks until none is left, polling only the woken ones; one per thread, one reactor. */
export class Executor {
  /** How many polls this executor made (the tests and benchmarks count them). */
  polls = 0;
  /** How many times the executor parked. */
  parks = 0;
  /** Failures of tasks nobody joined (Rust: a panic that ends the program); main exits 1. */
  readonly unjoinedFailures: std.TaskFailedError[] = [];

  private round = 0;
  private ready: Waker[] = [];
  private readonly fromOtherThreads: number[] = [];

  /** Spawns `future`, runs every task to the end, and returns `future`'s output. */
  blockOn<T>(future: Future<T>, options: std.BlockOnOptions = {}): T {
    const exec = currentCore();
    const { thread } = exec;
    const deadline = new std.Deadline(options.timeoutMs); // refuses a bad timeoutMs
    if (exec.running)
      throw new std.AlreadyRunningError("blockOn called inside a running executor: spawn instead");
    const main = spawnTask(exec, future); // refuses what is not a future, before running
    exec.running = true;
    try {
      for (;;) {
        this.pollReadyTasks(exec);
        if (exec.live === 0) {
          println(`${thread.name}: All tasks are finished`);
          return std.takeOutcome<T>(thread.name, main, exec.failed, this.unjoinedFailures);
        }
        // Past the deadline: give up before saying we sleep, so `parks` counts real parks.
        const remaining = deadline.check();
        println(`${thread.name}: ${exec.live} pending tasks. Sleep until notified.`);
        this.parks++;
        thread.park(remaining);
        const failure = REACTOR.failure();
        if (failure !== undefined) throw failure;
      }
    } catch (error) {
      // Given up: release every task's sockets and tokens, so none haunts the next blockOn.
      std.abandonTasks(thread.name, exec.tasks.values()); // a close that throws is reported
      exec.tasks.clear();
      exec.live = 0;
      exec.generation++;
      exec.woken.length = 0;
      throw error;
    } finally {
      exec.running = false;
    }
  }

  /** Polls every woken task, until no task is woken any more. */
  private pollReadyTasks(exec: ExecutorCore): void {
    for (;;) {
      // The arrays swap, so that wakes made while these tasks are polled wait for the next round.
      const ready = exec.woken;
      exec.woken = this.ready;
      this.ready = ready;
      // Then the tasks other threads woke, by id through the shared queue; if some of those
      // wakes were dropped from a full queue, every task (a spurious poll is harmless).
      const ids = this.fromOtherThreads;
      if (exec.readyQueue.drainInto(ids)) for (const task of exec.tasks.values()) ready.push(task);
      for (const id of ids) {
        const task = exec.tasks.get(id);
        if (task !== undefined) ready.push(task);
      }
      while (ids.length > 0) ids.pop();
      if (ready.length === 0) return;
      if (LIFO) ready.reverse();
      const round = ++this.round;
      for (const task of ready) {
        // A late wake of a finished or abandoned task, or a second wake this round: nothing to do.
        if (!(task instanceof Task) || task.outcome || task.generation !== exec.generation)
          continue;
        if (task.round === round) continue;
        task.round = round;
        this.pollTask(exec, task);
      }
      while (ready.length > 0) ready.pop(); // V8 inlines `pop`; `length = 0` calls the runtime
    }
  }

  private pollTask(exec: ExecutorCore, task: Task): void {
    this.polls++;
    if (tracing) record(Kind.POLL_BEGIN, task.id);
    try {
      const state = task.future.poll(task);
      if (tracing) record(Kind.POLL_END, task.id, state.ready ? 1 : 0);
      if (!isReady(state)) {
        // It may have given its waker to the reactor: list it where the reactor's wakes look.
        if (!task.listed) exec.tasks.set(task.id, task);
        task.listed = true;
        return;
      }
      task.outcome = { ok: true, value: state.value };
    } catch (error) {
      if (tracing) record(Kind.POLL_END, task.id, 1);
      task.outcome = { ok: false, error }; // a failing task ends alone: the others go on
      exec.failed.push(task);
    }
    exec.live--;
    if (task.listed) exec.tasks.delete(task.id);
    task.joiner?.wake();
  }

  /** Ends the runtime at the end of a `using` scope: stops the reactor thread. */
  [Symbol.dispose](): void {
    REACTOR.stop();
  }
}

/** An executor running on a thread of its own (Rust: a `JoinHandle<()>` from `thread::spawn`). */
export type ExecutorThread = std.Spawned;

/**
 * Starts an executor thread that blocks on what `moduleUrl`'s export `exportName` returns
 * (the book's `thread::spawn(move || runtime::init().block_on(…))`); all share one reactor.
 */
export function spawnExecutorThread(
  name: string,
  moduleUrl: URL | string,
  exportName: string,
  args: readonly unknown[] = [],
): ExecutorThread {
  REACTOR.handle(); // outside a runtime, say so here: the thread would start a reactor of its own
  const runWith = { module: import.meta.url, exportName: "runExecutorThread" };
  return std.spawn(moduleUrl, exportName, { name, args, runWith });
}

/** An executor thread's body: join the process's reactor, block on the program's future. */
export function runExecutorThread(
  program: (...args: unknown[]) => Future<unknown>,
  ...args: unknown[]
): void {
  start();
  const executor = new Executor();
  executor.blockOn(program(...args));
  const [failure] = executor.unjoinedFailures;
  if (failure !== undefined) throw failure; // the thread fails, and its join throws
}
