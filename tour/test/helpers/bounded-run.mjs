// Runs a stage's book program under CH08_EXPERIMENT (read when the modules load, so each
// run is its own process) with a deadline on blockOn, so an experiment that loses a wake
// ends in a DeadlineError instead of a hang. Usage: bounded-run.mjs b|c TIMEOUT_MS.
// Prints the program's lines, then one JSON line: { outcome, polls, stats, epolls }, epolls
// being how many epoll instances the process holds (libuv's per thread, and mio's unless
// MIO_BACKEND=poll).
import { readdirSync, readlinkSync } from "node:fs";

const [stage, timeout] = process.argv.slice(2);
const folder = { b: "b-reactor-executor", c: "c-runtime-executor" }[stage ?? ""];
if (folder === undefined) throw new Error("usage: bounded-run.mjs b|c TIMEOUT_MS");
const mod = await import(new URL(`../../../${folder}/dist/index.js`, import.meta.url).href);
// Stage c's example at a tenth of the book's delays: 0, 100, … 400 ms.
const future = stage === "c" ? mod.asyncMain({ delayUnitMs: 100 }) : mod.asyncMain();
const executor = mod.runtime.init();
let outcome = "finished";
try {
  executor.blockOn(future, { timeoutMs: Number(timeout) });
} catch (error) {
  outcome = error instanceof Error ? error.name : String(error);
}
const stats = mod.runtime.reactor?.().stats?.();
const epolls = readdirSync("/proc/self/fd").filter((fd) => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === "anon_inode:[eventpoll]";
  } catch {
    return false; // the directory's own fd, closed by the time it is read
  }
}).length;
process.stdout.write(`${JSON.stringify({ outcome, polls: executor.polls, stats, epolls })}\n`);
mod.runtime.shutdown();
process.exit(0);
