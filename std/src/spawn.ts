import { existsSync } from "node:fs";
import { Worker, type WorkerOptions } from "node:worker_threads";
import { traceBuffers } from "@ch08/trace";
import { checkTimeoutMs } from "./deadline.js";
import { JoinTimeoutError, ThreadFailedError, ThreadStartError } from "./errors.js";
import { inheritedStatics } from "./static.js";
import { currentThreadTable } from "./thread.js";
import { ThreadState } from "./thread-state.js";

/** How long ending a thread, or exiting the process, waits for a thread to load. */
export const START_GATE_MS = 10_000;

/** Options for `spawn`. */
export interface SpawnOptions {
  /** The thread's name (Rust: `thread::Builder::name`), in its messages and traces. */
  readonly name: string;
  /** Arguments for the function; they are copied (structured clone), shared memory shared. */
  readonly args?: readonly unknown[];
  /** More `workerData` for the thread (the runtime's handles, for instance). */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Let the process end while this thread still runs (a thread blocked in epoll_wait). */
  readonly detached?: boolean;
  /**
   * A function (module URL, export name) the thread calls as `runWith(target, ...args)`
   * instead of calling the target itself: how a runtime wraps what its threads run.
   */
  readonly runWith?: { readonly module: URL | string; readonly exportName: string };
  /** The state cell to use (4 bytes), so that threads that never see the `Spawned` can watch it. */
  readonly state?: SharedArrayBuffer;
}

/**
 * Starts a thread that runs the function `exportName` of the module at `moduleUrl`
 * (Rust: `thread::spawn`). Rust hands over a closure; a JavaScript closure cannot cross
 * threads — each thread is its own heap — so the new thread is told where the function
 * lives, imports it, and calls it with `args`.
 *
 * If the thread cannot load or its function throws, it says so on stderr, unparks every
 * thread of this thread's runtime (none may wait forever for it), and `join` throws.
 */
export function spawn(moduleUrl: URL | string, exportName: string, options: SpawnOptions): Spawned {
  const state = new Int32Array(
    options.state ?? new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT),
  );
  const failure = new SharedArrayBuffer(FAILURE_BYTES);
  const worker = startWorker(options.name, entryFile(moduleUrl, options.runWith), {
    workerData: {
      ...options.data,
      name: options.name,
      trace: traceBuffers(),
      module: String(moduleUrl),
      exportName,
      args: options.args ?? [],
      runWith:
        options.runWith === undefined
          ? undefined
          : { module: String(options.runWith.module), exportName: options.runWith.exportName },
      state: state.buffer,
      failure,
      threads: currentThreadTable()?.buffer,
      statics: inheritedStatics(),
    },
  });
  if (options.detached === true) worker.unref();
  guardStart(state);
  return new Spawned(options.name, worker, state, failure);
}

/**
 * Node's options for a thread: this process's (left to Node: `undefined`), except that a
 * worker whose entry is a file refuses `--input-type`, which is only for `node -e` code.
 * Inherited, it made a one-liner such as `node --input-type=module -e "…"` start no thread:
 * the worker failed as it booted, before anything of ours ran, and was seen only as a
 * start timeout. So then, and only then, the options are passed without it. Passed, they
 * are checked: a per-process option beside it (`--expose-gc`, `--max-old-space-size`) is
 * refused at once with Node's ERR_WORKER_INVALID_EXEC_ARGV; inherited, Node drops those.
 */
function threadExecArgv(): string[] | undefined {
  const argv = process.execArgv;
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--input-type")
      i++; // its value is the next argument
    else if (!arg.startsWith("--input-type=")) kept.push(arg);
  }
  return kept.length === argv.length ? undefined : kept; // nothing removed: left to Node
}

/**
 * The file a thread starts from: its module's prebuilt bundle, `<module>.thread.cjs`, when
 * the build made one beside it (scripts/bundle-thread.mjs) and nothing else is to be
 * loaded with it; else the ES module entry, which imports the module. The bundle is one
 * CommonJS file with the module and all it imports inside, and a Worker that starts from
 * it spares Node's ES module loader and one file per module: the reactor thread of stages
 * b to d starts about 8 ms of CPU sooner. A thread with a `runWith` wrapper loads it from
 * its own files, and the bundle's copies beside them would be a second copy of their state.
 */
function entryFile(moduleUrl: URL | string, runWith: SpawnOptions["runWith"]): URL {
  const entry = new URL("./thread-entry.js", import.meta.url);
  if (runWith !== undefined || !URL.canParse(String(moduleUrl))) return entry; // its import says what is wrong
  const bundle = new URL(String(moduleUrl).replace(/\.js$/, ".thread.cjs"));
  const prebuilt =
    bundle.protocol === "file:" && bundle.href.endsWith(".thread.cjs") && existsSync(bundle);
  return prebuilt ? bundle : entry;
}

/** The worker behind a thread; arguments that cannot cross threads are refused in words. */
function startWorker(name: string, entry: URL, options: WorkerOptions): Worker {
  try {
    return new Worker(entry, {
      ...options,
      execArgv: threadExecArgv(),
    });
  } catch (error) {
    if (!(error instanceof Error && error.name === "DataCloneError")) throw error;
    throw new TypeError(
      `spawn ${name}: the arguments cannot be copied to another thread (${error.message}); ` +
        "pass numbers, strings, plain objects or arrays, typed arrays or SharedArrayBuffers, and name a function by its module and export",
    );
  }
}

/** Room for the first line of a failed thread's error, which `ThreadStartError` repeats. */
const FAILURE_BYTES = 1024;

/** A thread started by `spawn` (Rust: `JoinHandle<()>`); `using` ends it at scope exit. */
export class Spawned implements Disposable {
  constructor(
    /** The name it was started with. */
    readonly name: string,
    /** The worker behind it. */
    readonly worker: Worker,
    private readonly state: Int32Array,
    private readonly failure: SharedArrayBuffer,
  ) {}

  /** Where the thread stands now: one of `ThreadState`. */
  get status(): number {
    return Atomics.load(this.state, 0);
  }

  /** Blocks (at most `timeoutMs`) until the thread has loaded; true if it has. */
  waitUntilLoaded(timeoutMs = START_GATE_MS): boolean {
    return waitUntilLoaded(this.state, timeoutMs);
  }

  /**
   * Blocks until the thread runs (Rust's `spawn` cannot fail this way: a closure needs no
   * loading). Throws `ThreadStartError` with the thread's own error if it failed first,
   * or if `timeoutMs` passed.
   */
  waitUntilRunning(timeoutMs = START_GATE_MS): void {
    if (this.waitUntilLoaded(timeoutMs) && this.status !== ThreadState.FAILED) return;
    const length = new Int32Array(this.failure, 0, 1)[0] ?? 0;
    const reason = new TextDecoder().decode(new Uint8Array(this.failure, 4, length).slice());
    throw new ThreadStartError(
      this.name,
      this.status === ThreadState.FAILED ? reason : undefined,
      timeoutMs,
    );
  }

  /** Blocks (at most `timeoutMs`) until the thread has ended; true if it has. */
  waitUntilEnded(timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    for (let now = this.status; now < ThreadState.FINISHED; now = this.status) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) return false;
      Atomics.wait(this.state, 0, now, remaining);
    }
    return true;
  }

  /**
   * Blocks until the thread's function has returned. Throws `ThreadFailedError` if it
   * could not load or threw, `JoinTimeoutError` if `timeoutMs` passed first. It waits on
   * shared memory: the caller's event loop may not turn meanwhile.
   */
  join(timeoutMs?: number): void {
    checkTimeoutMs(`join of ${this.name}`, timeoutMs);
    const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    for (;;) {
      const now = Atomics.load(this.state, 0);
      if (now === ThreadState.FINISHED) return;
      if (now === ThreadState.FAILED) throw new ThreadFailedError(this.name);
      const remaining = deadline === undefined ? undefined : deadline - performance.now();
      if (remaining !== undefined && remaining <= 0) {
        throw new JoinTimeoutError(this.name, timeoutMs ?? 0);
      }
      Atomics.wait(this.state, 0, now, remaining);
    }
  }

  /**
   * Ends the thread, once it has loaded (a bounded wait): a worker terminated while
   * koffi loads in it aborts the whole process. Use this, not `worker.terminate()`.
   */
  terminate(): Promise<number> {
    this.waitUntilLoaded();
    return this.worker.terminate();
  }

  /** Ends the thread if it still runs (what `using` calls). */
  [Symbol.dispose](): void {
    const now = this.status;
    if (now === ThreadState.FINISHED || now === ThreadState.FAILED) return;
    void this.terminate();
  }
}

/** State cells of threads that may still be loading; the exit hook waits for them. */
const loading: Int32Array[] = [];
/** Whether the exit hook is installed: once, however many threads start. */
let exitHooked = false;

/**
 * Watches a thread just started: until it has left STARTING, the process must not end,
 * or koffi's addon, half registered in that thread, aborts it. So at exit this thread
 * waits (bounded) for every one still loading.
 */
function guardStart(state: Int32Array): void {
  for (let i = loading.length - 1; i >= 0; i--) {
    const cell = loading[i];
    if (cell !== undefined && Atomics.load(cell, 0) !== ThreadState.STARTING) loading.splice(i, 1);
  }
  if (!exitHooked) {
    exitHooked = true;
    process.on("exit", waitForLoadingThreads);
  }
  loading.push(state);
}

function waitUntilLoaded(state: Int32Array, timeoutMs: number): boolean {
  Atomics.wait(state, 0, ThreadState.STARTING, timeoutMs);
  return Atomics.load(state, 0) !== ThreadState.STARTING;
}

/** The exit hook: every thread still loading gets to finish loading before the process ends. */
function waitForLoadingThreads(): void {
  process.removeListener("exit", waitForLoadingThreads);
  exitHooked = false;
  const deadline = performance.now() + START_GATE_MS;
  for (const state of loading.splice(0)) {
    waitUntilLoaded(state, Math.max(0, deadline - performance.now()));
  }
}

/** Options for `spawnService`: how to end the loop's wait, and what to free once it has left. */
export interface ServiceOptions extends Omit<SpawnOptions, "detached"> {
  /** Makes the loop's blocking wait return (a write to its eventfd), so it sees `stopRequested`. */
  readonly wake: () => void;
  /** Frees what the loop waits on, once it has left: a closed fd's number is soon reused. */
  readonly release: () => void;
}

/** A state cell for a service thread: its `ThreadState`, then the stop request. */
export function serviceState(): SharedArrayBuffer {
  return new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
}

/** Whether the service thread with this state cell (`serviceState`) was asked to stop. */
export function stopRequested(state: Int32Array): boolean {
  return Atomics.load(state, 1) === 1;
}

/**
 * Starts a thread that loops until stopped (a reactor's event loop) and returns once it
 * runs, or throws `ThreadStartError`. Rust lets such a thread die with the process; a
 * thread waiting in epoll_wait would keep ours alive, so it is detached, and `stop` —
 * run at exit too — ends it.
 */
export function spawnService(
  moduleUrl: URL | string,
  exportName: string,
  options: ServiceOptions,
): Service {
  const state = options.state ?? serviceState();
  const thread = spawn(moduleUrl, exportName, { ...options, detached: true, state });
  const service = new Service(thread, new Int32Array(state), options.wake, options.release);
  try {
    thread.waitUntilRunning();
  } catch (error) {
    service.stop();
    throw error;
  }
  process.once("exit", service.stop);
  return service;
}

/** A thread started by `spawnService`. */
export class Service {
  #stopped = false;

  constructor(
    /** The thread that runs the loop. */
    readonly thread: Spawned,
    private readonly state: Int32Array,
    private readonly wake: () => void,
    private readonly release: () => void,
  ) {}

  /** Asks the loop to end, wakes it, waits (2 s at most) until it has, then releases. */
  readonly stop = (): void => {
    if (this.#stopped) return;
    this.#stopped = true;
    process.removeListener("exit", this.stop);
    Atomics.store(this.state, 1, 1);
    this.wake();
    // A thread still loading finds the stop request when it gets to its loop, and ends.
    if (this.thread.waitUntilEnded(2000)) this.release();
  };
}
