// A child process for terminate.test.ts: starts eleven executor threads, spins for a
// fraction of the time a thread takes to load, then throws. The process then ends
// while the threads may still be loading koffi, which aborted it (FATAL ERROR …
// napi_throw, exit 134) instead of reporting the error.
import { capturePrintln } from "@ch08/http";
import { runtime } from "../../dist/index.js";
import { measureLoadMs } from "./load-time.mjs";

const fraction = Number(process.argv[2] ?? 0);
const programs = new URL("./programs.mjs", import.meta.url);
capturePrintln(() => {});
runtime.init();
const spinMs = fraction * measureLoadMs();
for (let i = 1; i < 12; i++) runtime.spawnExecutorThread(`exec-${i}`, programs, "never");
const start = performance.now();
while (performance.now() - start < spinMs) {}
throw new Error("the program fails while its threads load");
