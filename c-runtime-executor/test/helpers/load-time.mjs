// How long an executor thread takes to start and load (koffi included) on this machine
// right now: the window in which ending it used to abort the process.
import { runtime } from "../../dist/index.js";

/** Milliseconds from starting an executor thread to its program having run. */
export function measureLoadMs() {
  const programs = new URL("./programs.mjs", import.meta.url);
  const start = performance.now();
  runtime.spawnExecutorThread("exec-probe", programs, "atOnce").join(30_000);
  return performance.now() - start;
}
