import { writeSync } from "node:fs";
import { workerData } from "node:worker_threads";
import type { Future } from "../future.js";
import { ThreadState } from "./control.js";

// The body of a thread started by `spawnExecutorThread`: join the process's reactor,
// make this thread's executor, and block on the future the named function returns.
// Everything that loads koffi is imported dynamically, so that a failure to load is
// reported like any other and the state cell always leaves STARTING.

const { name, module, exportName, args, state } = workerData as {
  name: string;
  module: string;
  exportName: string;
  args: unknown[];
  state: SharedArrayBuffer;
};
const cell = new Int32Array(state);

try {
  const { init } = await import("../runtime.js");
  const executor = init();
  const exported: Record<string, unknown> = await import(module);
  // Loaded (koffi included): from here on, terminating this thread is safe.
  Atomics.store(cell, 0, ThreadState.RUNNING);
  Atomics.notify(cell, 0);
  const makeFuture = exported[exportName];
  if (typeof makeFuture !== "function") {
    throw new Error(`${module} has no exported function ${exportName}`);
  }
  executor.blockOn(makeFuture(...args) as Future<unknown>);
  Atomics.store(cell, 0, ThreadState.FINISHED);
} catch (error) {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  writeSync(2, `${name}: ${detail}\n`);
  Atomics.store(cell, 0, ThreadState.FAILED);
} finally {
  Atomics.notify(cell, 0);
}
