import { createRequire } from "node:module";
import { Waker as MioWaker } from "@ch08/mio";
import { Mutex, SharedMap, thrownText } from "@ch08/std";
import type { Future } from "./future.js";
import { spawn } from "./runtime/executor.js";
import { type ReactorHandle, storedWaker } from "./runtime/reactor.js";

// node:v8 brings Node's heap-snapshot and stream modules with it, a few milliseconds of a
// program's start-up here: it loads when the first job is sent or received, not when the
// runtime is imported.
let v8: typeof import("node:v8") | undefined;
const structuredBytes = (): typeof import("node:v8") =>
  (v8 ??= createRequire(import.meta.url)("node:v8") as typeof import("node:v8"));

/** Bytes of queued jobs one runtime thread can hold between two of its polls. */
export const JOB_QUEUE_BYTES = 1 << 20;

const LOCK = 0;
const USED = 1;
const TOKEN = 2;
const HEADER_BYTES = 16;

/** Work named so it can cross threads: a module, one of its exports, and arguments to copy. */
export interface Job {
  /** The module's URL (`import.meta.url`-style, or a `file:` URL). */
  readonly module: string;
  /** The name of an export of it: a function that returns the future to run. */
  readonly exportName: string;
  /** Arguments, copied by the structured clone algorithm (no functions, no class instances). */
  readonly args: readonly unknown[];
}

/** Plain data that makes a `Spawner` on any thread (send it in `workerData` or a message). */
export interface SpawnerHandle {
  /** The target thread's job queue. */
  readonly jobs: SharedArrayBuffer;
  /** The target's reactor tables, through which the job task is woken. */
  readonly reactor: ReactorHandle;
  /** The target waits in epoll_wait (single-threaded runtime), not Atomics.wait: also wake its Poll. */
  readonly interruptsPoll: boolean;
}

/** A job queue for one runtime thread, in new shared memory. */
export function createJobQueue(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + JOB_QUEUE_BYTES);
}

/**
 * Spawns work on another thread's runtime, from any thread (the seed's global `Spawner`).
 *
 * Rust's spawner boxes a future and sends it. A JavaScript future is an object in one
 * thread's heap and cannot be sent; what can be sent is its name — a module and an
 * export — and arguments that survive a structured clone. The job is serialized into
 * the target's queue in shared memory, and the target's job task is woken through the
 * waker table, like any task woken by the reactor; that task calls the export and spawns
 * the future it returns.
 */
export class Spawner {
  private readonly cells: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly mutex: Mutex;
  private readonly wakers: SharedMap;
  private readonly wake: (thread: number, task: number) => void;
  private readonly pollWaker: MioWaker | undefined;

  constructor(handle: SpawnerHandle) {
    this.cells = new Int32Array(handle.jobs, 0, 4);
    this.bytes = new Uint8Array(handle.jobs, HEADER_BYTES);
    this.mutex = new Mutex(this.cells, LOCK);
    this.wakers = new SharedMap(handle.reactor.wakers);
    this.wake = storedWaker(handle.reactor);
    this.pollWaker = handle.interruptsPoll
      ? MioWaker.fromHandle(handle.reactor.stopWaker)
      : undefined;
  }

  /** Queues `exportName(...args)` of `module` to be spawned on the target; callable from any thread. */
  spawn(module: string | URL, exportName: string, ...args: unknown[]): void {
    const job: Job = { module: String(module), exportName, args };
    let encoded: Buffer;
    try {
      encoded = structuredBytes().serialize(job);
    } catch (error) {
      throw new TypeError(
        `spawn(${exportName}): the arguments cannot be copied to another thread (${(error as Error).message}); ` +
          "pass numbers, strings, plain objects or arrays",
      );
    }
    const { cells, bytes } = this;
    this.mutex.lock();
    const used = cells[USED] ?? 0;
    if (used + 4 + encoded.length > bytes.length) {
      this.mutex.unlock();
      throw new Error(
        `the target's job queue is full (${JOB_QUEUE_BYTES} bytes): its runtime is not taking jobs; is it running?`,
      );
    }
    new DataView(bytes.buffer, bytes.byteOffset + used, 4).setUint32(0, encoded.length, true);
    bytes.set(encoded, used + 4);
    cells[USED] = used + 4 + encoded.length;
    this.mutex.unlock();
    const token = Atomics.load(cells, TOKEN);
    if (token !== 0) this.wakers.get(token, this.wake);
    this.pollWaker?.wake();
  }
}

/** Raised in the target when a job names a module its thread has not loaded, or a missing export. */
export class UnknownJobError extends Error {
  constructor(job: Job, loaded: readonly string[]) {
    super(
      `cannot run job ${job.exportName} of ${job.module}: ` +
        (loaded.includes(job.module)
          ? "that module has no such exported function"
          : `the module is not loaded on this thread (loaded: ${loaded.join(", ") || "none"}); ` +
            "list it in the runtime's modules so it is imported before the runtime starts"),
    );
    this.name = "UnknownJobError";
  }
}

/** Raised in the target when a job's export throws instead of returning its future. */
export class JobFailedError extends Error {
  constructor(job: Job, cause: unknown) {
    super(
      `job ${job.exportName} of ${job.module} threw instead of returning a future, so it ` +
        `did not run (the runtime goes on): ${thrownText(cause)}`,
      { cause },
    );
    this.name = "JobFailedError";
  }
}

/** A task that fails at once with `error`: the executor reports it, the runtime goes on. */
function failing(error: Error): Future<never> {
  return {
    poll: () => {
      throw error;
    },
  };
}

/**
 * The receiving end, on the target's thread: takes the queued jobs and spawns each as a
 * task. The modules must be imported before the runtime starts blocking (an `import()`
 * needs Node's event loop, which a blocked runtime thread never turns).
 */
export class JobReceiver {
  private readonly cells: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly mutex: Mutex;

  constructor(
    jobs: SharedArrayBuffer,
    /** The modules this thread has loaded, by URL. */
    private readonly modules: ReadonlyMap<string, Record<string, unknown>>,
  ) {
    this.cells = new Int32Array(jobs, 0, 4);
    this.bytes = new Uint8Array(jobs, HEADER_BYTES);
    this.mutex = new Mutex(this.cells, LOCK);
  }

  /** Says which token wakes the task that calls `runQueued` (set before the first drain). */
  setToken(token: number): void {
    Atomics.store(this.cells, TOKEN, token);
  }

  /** Spawns every queued job on this thread's executor; returns how many. */
  runQueued(): number {
    const { cells, bytes } = this;
    this.mutex.lock();
    const used = cells[USED] ?? 0;
    const copy = used === 0 ? undefined : Buffer.from(bytes.slice(0, used));
    cells[USED] = 0;
    this.mutex.unlock();
    if (copy === undefined) return 0;
    let at = 0;
    let count = 0;
    while (at < copy.length) {
      const length = copy.readUInt32LE(at);
      const job = structuredBytes().deserialize(copy.subarray(at + 4, at + 4 + length)) as Job;
      at += 4 + length;
      const exported = this.modules.get(job.module)?.[job.exportName];
      let future: Future<unknown>;
      if (typeof exported !== "function") {
        future = failing(new UnknownJobError(job, [...this.modules.keys()]));
      } else {
        // The export runs inside the poll of the task that drains the queue (the server's
        // accept or inbox task): were its throw to escape, it would end that task, and with
        // it the thread's whole runtime. It fails its own job instead.
        try {
          future = exported(...job.args) as Future<unknown>;
        } catch (error) {
          future = failing(new JobFailedError(job, error));
        }
      }
      try {
        spawn(future);
      } catch (error) {
        // spawn refuses what is not a future (an export that returned a Promise, say): that
        // job fails alone too, instead of the task that drains the queue.
        spawn(failing(error as Error));
      }
      count++;
    }
    return count;
  }
}

/** Imports `urls` now (before a runtime blocks this thread), for a `JobReceiver`. */
export async function loadModules(
  urls: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  const modules = new Map<string, Record<string, unknown>>();
  for (const url of urls) modules.set(url, (await import(url)) as Record<string, unknown>);
  return modules;
}
