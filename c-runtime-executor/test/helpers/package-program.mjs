// A program for an executor thread as a reader writes one: it imports the stage by its
// package name, which is the stage's bundle (dist/c-runtime-executor.js), while the thread
// runs its executor from runtime/executor.js, the file the bundle imports instead of
// copying (scripts/bundle-stage.mjs). Had the bundle copied that module, this program's
// spawn would look for an executor in a copy of its own and find none.

import { coroutine, Http, spawn, wait } from "@ch08/c-runtime-executor";
import { capturePrintln } from "@ch08/http";

/** Spawns one request; its answer adds 1 to `counts[index]`. */
export function oneRequest(counts, index) {
  capturePrintln(() => {});
  // biome-ignore lint/correctness/useYield: it only spawns.
  return coroutine(function* () {
    spawn(
      coroutine(function* () {
        const txt = yield* wait(Http.get(`/0/by-name${index}`));
        if (txt.endsWith(`\r\n\r\nby-name${index}`)) Atomics.add(counts, index, 1);
      }),
    );
    return "";
  });
}
