// Runs a stage's book program under CH08_EXPERIMENT (read when the modules load, so each
// run is its own process) with a deadline on blockOn, so an experiment that loses a wake
// ends in a DeadlineError instead of a hang. Usage: bounded-run.mjs b|c TIMEOUT_MS.
// Prints the program's lines, then one JSON line: { outcome, polls, stats }.
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
process.stdout.write(`${JSON.stringify({ outcome, polls: executor.polls, stats })}\n`);
mod.runtime.shutdown();
process.exit(0);
