import { Worker, workerData } from "node:worker_threads";
import {
  type Interest,
  Waker as MioWaker,
  Poll,
  type PollHandle,
  Registry,
  type Source,
  type WakerHandle,
} from "@ch08/mio";
import { Kind, record, traceBuffers, tracing } from "@ch08/trace";
import { Control } from "./control.js";
import { OutsideRuntimeError } from "./errors.js";
import type { Waker } from "./executor.js";
import { createReadyQueues } from "./ready-queue.js";
import { createThreadTable, guardStart, useThreadTable } from "./thread.js";
import { WakerTable } from "./wakers.js";

/** The token of the reactor's own mio `Waker`, which tells its thread to stop. */
export const STOP_TOKEN = 0;

/** How long `start` waits for the reactor thread to be up (it loads koffi and libc). */
const START_TIMEOUT_MS = 10_000;

export { Control } from "./control.js";

/** Everything another thread needs to use this process's reactor (sent in `workerData`). */
export interface ReactorHandle {
  readonly poll: PollHandle;
  readonly stopWaker: WakerHandle;
  readonly wakers: SharedArrayBuffer;
  readonly threads: SharedArrayBuffer;
  /** CHANGED from stage b: every executor thread's ready queue, which the reactor pushes to. */
  readonly queues: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
}

/** What the reactor thread has done so far. */
export interface ReactorStats {
  waits: number;
  events: number;
  wakes: number;
  dropped: number;
}

/**
 * The reactor as leaf futures see it: register a source under a token, store the waker
 * to wake when that token fires, deregister when done. Its methods work from any
 * thread; its event loop runs on a thread of its own (`reactor-thread.ts`).
 */
export class Reactor {
  private readonly wakers: WakerTable;
  private readonly control: Int32Array;

  constructor(
    private readonly registry: Registry,
    handle: ReactorHandle,
  ) {
    this.wakers = new WakerTable(handle.wakers);
    this.control = new Int32Array(handle.control);
  }

  /** Watches `source` for `interest`; events for it carry token `id`. */
  register(source: Source, interest: Interest, id: number): void {
    if (tracing) record(Kind.REGISTER, id);
    this.registry.register(source, id, interest);
  }

  /** Changes what `source` is watched for. */
  reregister(source: Source, interest: Interest, id: number): void {
    this.registry.reregister(source, id, interest);
  }

  /** Stores `waker` for `id`: it must always be the most recent one the future was polled with. */
  setWaker(waker: Waker, id: number): void {
    this.wakers.set(id, waker.thread.slot, waker.id);
  }

  /** Forgets the waker for `id` and stops watching `source`. */
  deregister(source: Source, id: number): void {
    if (tracing) record(Kind.DEREGISTER, id);
    this.wakers.remove(id);
    this.registry.deregister(source);
  }

  /** A fresh token (the book's `next_id`). */
  nextId(): number {
    return this.wakers.nextId();
  }

  /** Counts from the reactor thread: waits, events, wakes and dropped wakes. */
  stats(): ReactorStats {
    return {
      waits: Atomics.load(this.control, Control.WAITS),
      events: Atomics.load(this.control, Control.EVENTS),
      wakes: Atomics.load(this.control, Control.WAKES),
      dropped: Atomics.load(this.control, Control.DROPPED),
    };
  }
}

/** The reactor this thread uses (Rust: the `static REACTOR`). */
let current: Reactor | undefined;
/** What the starting thread keeps to stop the reactor thread. */
let running:
  | { handle: ReactorHandle; poll: Poll; stopWaker: MioWaker; control: Int32Array }
  | undefined;

/** The running reactor (the book's `reactor()`); throws outside a runtime. */
export function reactor(): Reactor {
  if (current === undefined) throw new OutsideRuntimeError();
  return current;
}

/** The handle of the reactor this thread uses, to pass to the threads it starts. */
export function handle(): ReactorHandle {
  const handle = running?.handle ?? attached;
  if (handle === undefined) throw new OutsideRuntimeError();
  return handle;
}

/** The reactor handle this thread was started with, if it is an executor thread. */
let attached: ReactorHandle | undefined;
/** Its control block, viewed once (executors check it after every park). */
let attachedControl: Int32Array | undefined;

/**
 * Makes the process's reactor this thread's reactor: on an executor thread, the one
 * whose handle the thread was started with; elsewhere, a new one (`start`).
 */
export function startOrAttach(): ReactorHandle {
  const given = (workerData as { reactor?: ReactorHandle } | null)?.reactor;
  if (given === undefined || running !== undefined) return start();
  if (attached !== given) {
    attached = given;
    attachedControl = new Int32Array(given.control);
    useThreadTable(given.threads);
    current = new Reactor(Registry.fromHandle(given.poll), given);
  }
  return given;
}

/**
 * Starts the reactor thread, blocked in `Poll.poll` on a new `Poll`, and makes it this
 * thread's reactor. Starting it again while it runs returns the same handle.
 */
export function start(): ReactorHandle {
  if (running !== undefined) return running.handle;
  const poll = new Poll();
  const registry = poll.registry();
  const stopWaker = new MioWaker(registry, STOP_TOKEN);
  const wakers = WakerTable.create();
  const handle: ReactorHandle = {
    poll: poll.handle(),
    stopWaker: stopWaker.handle(),
    wakers: wakers.buffer,
    threads: createThreadTable(),
    queues: createReadyQueues(),
    control: new SharedArrayBuffer(Control.SIZE * Int32Array.BYTES_PER_ELEMENT),
  };
  // The thread blocks in epoll_wait, not in Node's event loop: it must not keep the
  // process alive by itself. At exit, `stop` wakes it so it can end.
  const worker = new Worker(new URL("./reactor-thread.js", import.meta.url), {
    workerData: { name: "reactor", reactor: handle, trace: traceBuffers() },
  });
  worker.unref();
  const control = new Int32Array(handle.control);
  // Its READY cell stays 0 (STARTING) until koffi has loaded there: exit waits for it.
  guardStart(control, Control.READY);
  // Wait until the thread runs its loop: if it cannot start, say so now, rather than let
  // an executor park forever waiting for wakes that will never come.
  Atomics.wait(control, Control.READY, 0, START_TIMEOUT_MS);
  if (Atomics.load(control, Control.READY) !== 1) {
    const failed = Atomics.load(control, Control.FAILED) === 1;
    release(poll, stopWaker, control);
    throw new Error(
      failed
        ? "the reactor thread could not start (its error is on stderr); is the build complete? run `pnpm build`"
        : `the reactor thread did not start within ${START_TIMEOUT_MS} ms`,
    );
  }
  running = { handle, poll, stopWaker, control };
  process.once("exit", stop);
  useThreadTable(handle.threads);
  current = new Reactor(registry, handle);
  return handle;
}

/**
 * Stops the reactor thread: asks it to leave its loop, wakes its `Poll` with the mio
 * `Waker`, waits (a bounded time) until it has, then closes the event queue. The
 * process can then exit on its own; `start` makes a new one.
 */
export function stop(): void {
  if (running === undefined) return;
  const { poll, stopWaker, control } = running;
  running = undefined;
  current = undefined;
  process.removeListener("exit", stop);
  release(poll, stopWaker, control);
}

/** Tells the reactor thread to leave its loop, waits (bounded) until it has, then closes its fds. */
function release(poll: Poll, stopWaker: MioWaker, control: Int32Array): void {
  Atomics.store(control, Control.STOP, 1);
  stopWaker.wake();
  Atomics.wait(control, Control.STOPPED, 0, 2000);
  // Close the event queue only once the thread has left it: a closed fd's number is soon
  // reused (by the next `start`'s Poll), and a thread still starting up would then wait
  // on that one. Such a thread finds STOP set and the stop waker readable, and ends.
  if (Atomics.load(control, Control.STOPPED) === 0) return;
  stopWaker.close();
  poll.close();
}

/** The reactor thread's failure, if it has failed: executors stop waiting for it. */
export function reactorFailure(): Error | undefined {
  const control = running?.control ?? attachedControl;
  if (control === undefined || Atomics.load(control, Control.FAILED) === 0) return undefined;
  return new Error("the reactor thread failed (its error is on stderr); no more wakes will come");
}
