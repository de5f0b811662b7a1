// The book's d-multiple-threads example, its own program as in the book: eleven more
// executors, each on its own thread (exec-1 … exec-11), plus the main thread's, all
// running the same program and all sharing the one reactor.
import { withDelayServer } from "@ch08/delayserver/with-delayserver";
import { asyncMain } from "./main.js";
import * as runtime from "./runtime.js";

await withDelayServer(() => {
  const executor = runtime.init();
  const program = new URL("./main.js", import.meta.url);
  const options = { lastLineOnly: true };
  const threads: runtime.ExecutorThread[] = [];
  for (let i = 1; i < 12; i++) {
    threads.push(runtime.spawnExecutorThread(`exec-${i}`, program, "asyncMain", [options]));
  }
  executor.blockOn(asyncMain(options));
  for (const thread of threads) thread.join(60_000);
  if (executor.unjoinedFailures.length > 0) process.exitCode = 1;
});
