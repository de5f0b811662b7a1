import { closeSync, openSync } from "node:fs";
import { workerData } from "node:worker_threads";
import { SpawnTargetError } from "./errors.js";
import { ThreadState, unparkAll } from "./thread-state.js";
import { writeAll } from "./write.js";

// What every thread `spawn` starts does, whichever file it starts from: the ES module
// entry (thread-entry.ts), which imports the thread's module, or a thread's prebuilt
// bundle (`<module>.thread.cjs`, see `spawn`), which carries its module inside.
//
// A worker's 'error' event would not do: it is delivered by the starting thread's event
// loop, which does not turn while that thread is parked in Atomics.wait. So the state
// goes in shared memory, the error on stderr, and every parked thread is unparked.

/** What `spawn` hands the thread. */
interface EntryData {
  readonly name: string;
  readonly module: string;
  readonly exportName: string;
  readonly args: readonly unknown[];
  readonly runWith: { readonly module: string; readonly exportName: string } | undefined;
  readonly state: SharedArrayBuffer;
  /** Where the first line of the error goes (a length cell, then UTF-8), for `ThreadStartError`. */
  readonly failure: SharedArrayBuffer;
  readonly threads: SharedArrayBuffer | undefined;
}

/** Finds what a module exports under a name: by `import()`, or in a bundle, at hand. */
export type ExportLoader = (module: string, exportName: string) => unknown;

/** Node's module resolver reports a full fd table as a missing package: say what it is. */
function fdShortage(): string | undefined {
  try {
    closeSync(openSync("/dev/null", "r"));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * The body of a spawned thread: loads its function (and the `runWith` wrapper), marks the
 * thread RUNNING — from then on terminating it is safe, koffi having loaded — calls it,
 * and marks it FINISHED; or reports why not, on stderr and in `failure`, marks it FAILED
 * and unparks every thread of its runtime.
 */
export async function runThread(load: ExportLoader): Promise<void> {
  const { name, module, exportName, args, runWith, state, failure, threads } =
    workerData as EntryData;
  const cell = new Int32Array(state);
  const loadFunction = async (from: string, exported: string) => {
    const found = await load(from, exported);
    if (typeof found !== "function") throw new SpawnTargetError(from, exported);
    return found as (...args: unknown[]) => unknown;
  };
  try {
    const wrapper =
      runWith === undefined ? undefined : await loadFunction(runWith.module, runWith.exportName);
    const target = await loadFunction(module, exportName);
    Atomics.store(cell, 0, ThreadState.RUNNING);
    Atomics.notify(cell, 0);
    if (wrapper === undefined) target(...args);
    else wrapper(target, ...args);
    Atomics.store(cell, 0, ThreadState.FINISHED);
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    writeAll(2, `${name} thread failed: ${detail}\n`);
    const firstLine = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
    const shortage = fdShortage();
    const bytes = new TextEncoder()
      .encode(shortage === undefined ? firstLine : `${shortage} (so: ${firstLine})`)
      .subarray(0, failure.byteLength - 4);
    new Uint8Array(failure, 4).set(bytes);
    Atomics.store(new Int32Array(failure, 0, 1), 0, bytes.length);
    Atomics.store(cell, 0, ThreadState.FAILED);
    if (threads !== undefined) unparkAll(new Int32Array(threads));
  } finally {
    Atomics.notify(cell, 0);
  }
}
