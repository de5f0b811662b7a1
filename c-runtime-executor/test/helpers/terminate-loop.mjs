// A child process for terminate.test.ts: starts an executor thread and terminates it
// after a delay swept across the time a thread takes to load, over and over.
// Terminating a worker while koffi's addon registers in it aborted the whole process
// (FATAL ERROR … napi_throw, exit 134).
import { writeSync } from "node:fs";
import { capturePrintln } from "@ch08/http";
import { runtime } from "../../dist/index.js";
import { measureLoadMs } from "./load-time.mjs";

const maxRounds = Number(process.argv[2] ?? 30);
const programs = new URL("./programs.mjs", import.meta.url);
capturePrintln(() => {});
runtime.init();
// The load time moves with the machine's load: sweep 0 to 1.5 times it.
const loadMs = measureLoadMs();
// On a loaded machine a load takes seconds: fewer rounds, so the run stays within a minute.
const rounds = Math.max(8, Math.min(maxRounds, Math.floor(30_000 / (1.75 * loadMs))));
for (let i = 0; i < rounds; i++) {
  const thread = runtime.spawnExecutorThread(`exec-${i}`, programs, "never");
  const delay = ((i * 7) % rounds) * ((1.5 * loadMs) / rounds);
  await new Promise((resolve) => setTimeout(resolve, delay));
  await thread.terminate();
}
runtime.shutdown();
writeSync(1, `terminated ${rounds}\n`);
