import { workerData } from "node:worker_threads";
import { OutsideRuntimeError, ThreadFailedError } from "./errors.js";
import { type Service, type ServiceOptions, serviceState, spawnService } from "./spawn.js";
import { createThreadTable, useThreadTable } from "./thread.js";
import { ThreadState } from "./thread-state.js";

/** What a process-wide service's handle carries, whatever else it holds. */
export interface StaticHandle {
  /** The park-token table of the threads that use the service. */
  readonly threads: SharedArrayBuffer;
  /** The service thread's state cell (`serviceState`): FAILED means it is gone. */
  readonly state: SharedArrayBuffer;
}

/** The handles of this thread's running statics, by name: `spawn` hands them on. */
const running = new Map<string, StaticHandle>();

/** What `spawn` puts in a new thread's `workerData`, so that it reaches the same services. */
export function inheritedStatics(): Record<string, StaticHandle> {
  return Object.fromEntries(running);
}

/**
 * A service the whole process shares (Rust: a `static` `OnceLock`, like the book's
 * `REACTOR`, which every thread reaches). Module state is per thread in JavaScript, so each
 * thread holds its own view, made from the service's handle (numbers and shared memory):
 * the thread that starts the service makes the handle, and every thread `spawn` starts
 * from one that has it is handed it, and attaches instead of starting a second service.
 */
export class Static<Handle extends StaticHandle, View> {
  #handle: Handle | undefined;
  #view: View | undefined;
  #state: Int32Array | undefined;
  #service: Service | undefined;

  constructor(
    /** The service's name: what threads hand it on under, and its thread in errors. */
    readonly name: string,
    /** Makes this thread's view of the service from its handle. */
    private readonly viewOf: (handle: Handle) => View,
  ) {}

  /** This thread's view of the running service; `OutsideRuntimeError` before `start`. */
  get(): View {
    if (this.#view === undefined) throw new OutsideRuntimeError();
    return this.#view;
  }

  /** The running service's handle; `OutsideRuntimeError` before `start`. */
  handle(): Handle {
    if (this.#handle === undefined) throw new OutsideRuntimeError();
    return this.#handle;
  }

  /**
   * Makes the service this thread's and returns its handle: the one this thread was
   * started with, if its starter had one, or else one from `launch`, which starts the
   * service thread. While it runs, returns the same handle.
   */
  start(launch: () => { readonly handle: Handle; readonly service: Service }): Handle {
    if (this.#handle !== undefined) return this.#handle;
    const given = (workerData as { statics?: Record<string, Handle> } | null)?.statics?.[this.name];
    let handle = given;
    if (handle === undefined) {
      const launched = launch();
      handle = launched.handle;
      this.#service = launched.service;
    } else {
      useThreadTable(handle.threads);
    }
    this.#handle = handle;
    this.#state = new Int32Array(handle.state);
    this.#view = this.viewOf(handle);
    running.set(this.name, handle);
    return handle;
  }

  /**
   * `start` for a service whose thread runs `exportName` of `moduleUrl` on the handle that
   * `make` builds around `cells` (a new thread table and state cell): `make` also says how
   * to wake the service's loop and what to free once it has left.
   */
  startService(
    moduleUrl: URL | string,
    exportName: string,
    make: (
      cells: StaticHandle,
    ) => { readonly handle: Handle } & Pick<ServiceOptions, "wake" | "release">,
  ): Handle {
    return this.start(() => {
      const { handle, wake, release } = make({
        threads: createThreadTable(),
        state: serviceState(),
      });
      // The service's thread table first: a service thread that fails unparks its threads.
      useThreadTable(handle.threads);
      const service = spawnService(moduleUrl, exportName, {
        name: this.name,
        args: [handle],
        state: handle.state,
        wake,
        release,
      });
      return { handle, service };
    });
  }

  /** Stops the service thread, if this thread started it, and forgets the service here. */
  stop(): void {
    this.#service?.stop();
    if (this.#handle !== undefined && running.get(this.name) === this.#handle) {
      running.delete(this.name);
    }
    this.#handle = this.#view = this.#state = this.#service = undefined;
  }

  /** The error to raise if the service thread failed: who waits for it must stop waiting. */
  failure(): Error | undefined {
    const state = this.#state;
    if (state === undefined || Atomics.load(state, 0) !== ThreadState.FAILED) return undefined;
    return new ThreadFailedError(this.name);
  }
}
