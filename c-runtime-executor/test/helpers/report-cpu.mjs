// Preloaded into an example run (`node --import …/report-cpu.mjs dist/main.js`): at
// exit, writes the process's CPU time — every thread's — as the last line on stderr.
// Workers inherit the preload: only the main thread reports.
import { writeSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

if (isMainThread) {
  process.on("exit", () => {
    const { user, system } = process.cpuUsage();
    writeSync(2, `\ncpu-ms ${Math.round((user + system) / 1000)}\n`);
  });
}
