// Loaded with `node --import` into a `pnpm serve` child by start-stop.test.ts: writes a line
// on fd 3 each time the process starts a thread, so the test can time its signal from the
// moment the server's threads begin to load. It only watches; serve runs unchanged.
import { writeSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

if (isMainThread) process.on("worker", () => writeSync(3, "thread\n"));
