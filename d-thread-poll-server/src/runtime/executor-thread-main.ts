import { writeSync } from "node:fs";
import { workerData } from "node:worker_threads";
import type { Future } from "../future.js";
import { init } from "../runtime.js";
import { FAILED, FINISHED } from "./executor-thread.js";

// The body of a thread started by `spawnExecutorThread`: join the process's reactor,
// make this thread's executor, and block on the future the named function returns.

const { name, module, exportName, args, state } = workerData as {
  name: string;
  module: string;
  exportName: string;
  args: unknown[];
  state: SharedArrayBuffer;
};
const cell = new Int32Array(state);

try {
  const executor = init();
  const exported: Record<string, unknown> = await import(module);
  const makeFuture = exported[exportName];
  if (typeof makeFuture !== "function") {
    throw new Error(`${module} has no exported function ${exportName}`);
  }
  executor.blockOn(makeFuture(...args) as Future<unknown>);
  Atomics.store(cell, 0, FINISHED);
} catch (error) {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  writeSync(2, `${name}: ${detail}\n`);
  Atomics.store(cell, 0, FAILED);
} finally {
  Atomics.notify(cell, 0);
}
