import { closeSync, openSync } from "node:fs";
import { workerData } from "node:worker_threads";
import { SpawnTargetError } from "./errors.js";
import { ThreadState, unparkAll } from "./thread-state.js";
import { writeAll } from "./write.js";

// The first module of every thread `spawn` starts. It imports nothing that could fail
// to load: the thread's own module is loaded with a dynamic `import()` — the one Promise
// in @ch08/std, and unavoidable, since a module graph only loads asynchronously — so a
// module that does not load is reported like any other failure. The build bundles this
// file with what it imports (package.json), so a thread loads one module of ours before
// its target, not three: each module a thread resolves and compiles costs its start-up.
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

const { name, module, exportName, args, runWith, state, failure, threads } =
  workerData as EntryData;
const cell = new Int32Array(state);

/** The function `exportName` of `module`, imported; `SpawnTargetError` if there is none. */
async function load(module: string, exportName: string): Promise<(...args: unknown[]) => unknown> {
  const exported: Record<string, unknown> = await import(module);
  const found = exported[exportName];
  if (typeof found !== "function") throw new SpawnTargetError(module, exportName);
  return found as (...args: unknown[]) => unknown;
}

/** Node's module resolver reports a full fd table as a missing package: say what it is. */
function fdShortage(): string | undefined {
  try {
    closeSync(openSync("/dev/null", "r"));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

try {
  const wrapper =
    runWith === undefined ? undefined : await load(runWith.module, runWith.exportName);
  const target = await load(module, exportName);
  // Loaded (koffi included): from here on, terminating this thread is safe.
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
