import { withDelayServer } from "@ch08/delayserver";
import { asyncMain } from "./async-main.js";
import { initSingleThreaded } from "./runtime/local.js";

// The book's concurrency example, on stage d's single-threaded runtime: no reactor
// thread — when no task is ready, the executor itself blocks in epoll_wait.
await withDelayServer(() => {
  const runtime = initSingleThreaded();
  try {
    runtime.executor.blockOn(asyncMain());
  } finally {
    runtime.close();
  }
});
