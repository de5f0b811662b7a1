import { withDelayServer } from "@ch08/delayserver";
import { asyncMain } from "./async-main.js";
import * as runtime from "./runtime.js";

// The book's concurrency example: one executor, five spawned requests.
await withDelayServer(() => {
  const executor = runtime.init();
  executor.blockOn(asyncMain());
});
