import { runThread } from "./thread-run.js";

// The first module of a thread `spawn` starts, when the thread's module has no prebuilt
// bundle. It imports nothing that could fail to load: the thread's own module is loaded
// with a dynamic `import()` — the one Promise in @ch08/std, and unavoidable, since a
// module graph only loads asynchronously — so a module that does not load is reported
// like any other failure. The build bundles this file with what it imports (package.json),
// so a thread loads one module of ours before its target, not three: each module a thread
// resolves and compiles costs its start-up.

await runThread(async (module, exportName) => {
  const exported: Record<string, unknown> = await import(module);
  return exported[exportName];
});
