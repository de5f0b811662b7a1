import { withDelayServer } from "@ch08/delayserver";
import { asyncMain, asyncMainGenerator } from "./async-main.js";
import { Runtime } from "./runtime.js";

// The book's main: make a runtime, block on async_main. `--generator` runs the same
// program written as a generator instead of the corofied state machine.
await withDelayServer(() => {
  const future = process.argv.includes("--generator") ? asyncMainGenerator() : asyncMain();
  const runtime = new Runtime();
  try {
    runtime.blockOn(future);
  } finally {
    runtime.close();
  }
});
