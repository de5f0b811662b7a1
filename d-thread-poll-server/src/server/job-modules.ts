import { workerData } from "node:worker_threads";
import { loadModules } from "../spawner.js";

/**
 * The job modules of the server thread this module loads in (`jobModules` of its
 * `workerData`), imported while the thread is still loading. Why here, with a top-level
 * `await`: an `import()` needs Node's event loop, which a server thread never turns
 * again once its runtime blocks; and while a thread loads, @ch08/std's start gate keeps
 * anyone from ending it, so a module that loads koffi half-way is never cut off.
 */
export const jobModules = await loadModules(
  (workerData as { jobModules?: readonly string[] } | null)?.jobModules ?? [],
);
