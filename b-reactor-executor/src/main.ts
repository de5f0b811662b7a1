import { withDelayServer } from "@ch08/delayserver";
import { asyncMain } from "./async-main.js";
import * as runtime from "./runtime.js";

// The book's main: start the runtime (the reactor thread), block on async_main.
await withDelayServer(() => {
  const executor = runtime.init();
  executor.blockOn(asyncMain());
});
