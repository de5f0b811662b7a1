import { pathToFileURL } from "node:url";
import { println } from "@ch08/http";
import { PolledAfterReadyError } from "@ch08/std";
import {
  coroutine,
  type Future,
  joinAll,
  NOT_READY,
  type PollState,
  ready,
  wait,
} from "./future.js";
import { Http } from "./http.js";
import type { Waker } from "./runtime.js";
import * as runtime from "./runtime.js";

/** The book's two requests: 600 ms, then 400 ms, one after the other. */
export const BOOK_PATHS: readonly [string, string] = [
  "/600/HelloAsyncAwait",
  "/400/HelloAsyncAwait",
];

/**
 * The book's `main`: start the runtime (the reactor thread), block on `async_main`.
 * `generator` runs the same program written as a generator instead of the state machine.
 */
export function main(generator = process.argv.includes("--generator")): void {
  if (process.env.CH08_EXPERIMENT === "join-all") {
    joinAllExperiment();
    return;
  }
  const future = generator ? asyncMainGenerator() : asyncMain();
  const executor = runtime.init();
  executor.blockOn(future);
}

/**
 * The README's `join-all` experiment: `CH08_N` requests (default 10) answered 15 ms apart,
 * in one `joinAll`, to count how often its children are polled with one waker for them all.
 */
export function joinAllExperiment(n = Number(process.env.CH08_N ?? 10)): void {
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new RangeError(`CH08_N must be a whole number from 1 to 1000, not ${process.env.CH08_N}`);
  }
  const executor = runtime.init();
  const requests = Array.from({ length: n }, (_, i) => Http.get(`/${100 + 15 * i}/request-${i}`));
  const all = joinAll(requests);
  executor.blockOn(all);
  const perRequest = (all.childPolls / n).toFixed(1);
  println(
    `joinAll of ${n} requests: ${all.childPolls} child polls, ${perRequest} per request ` +
      `(N + N(N+1)/2 = ${n + (n * (n + 1)) / 2}), ${executor.parks} parks until woken`,
  );
}

// What the program says, written as the book writes it with its `coroutine` keyword:
//
//   coroutine fn async_main() {
//       println!("Program starting");
//       let txt = Http::get("/600/HelloAsyncAwait").wait;
//       println!("{txt}");
//       let txt = Http::get("/400/HelloAsyncAwait").wait;
//       println!("{txt}");
//   }
//
// Below it is written twice: as corofy rewrites it (a state machine), and as a generator.

/** `async_main` as corofy rewrites it: a hand-written state machine. */
export function asyncMain(paths: readonly [string, string] = BOOK_PATHS): Future<string> {
  return new Coroutine0(paths);
}

/** Where a state machine stands: before its first request, waiting on one, or done. */
type State0 =
  | { readonly kind: "Start" }
  | { readonly kind: "Wait1"; readonly future: Future<string> }
  | { readonly kind: "Wait2"; readonly future: Future<string> }
  | { readonly kind: "Resolved" };

class Coroutine0 implements Future<string> {
  private state: State0 = { kind: "Start" };

  constructor(private readonly paths: readonly [string, string]) {}

  poll(waker: Waker): PollState<string> {
    for (;;) {
      switch (this.state.kind) {
        case "Start": {
          // ---- code you actually wrote ----
          println("Program starting");
          // ---------------------------------
          this.state = { kind: "Wait1", future: Http.get(this.paths[0]) };
          break;
        }
        case "Wait1": {
          const polled = this.state.future.poll(waker);
          if (!polled.ready) return NOT_READY;
          // ---- code you actually wrote ----
          println(polled.value);
          // ---------------------------------
          this.state = { kind: "Wait2", future: Http.get(this.paths[1]) };
          break;
        }
        case "Wait2": {
          const polled = this.state.future.poll(waker);
          if (!polled.ready) return NOT_READY;
          // ---- code you actually wrote ----
          println(polled.value);
          // ---------------------------------
          this.state = { kind: "Resolved" };
          return ready("");
        }
        case "Resolved":
          throw new PolledAfterReadyError();
      }
    }
  }
}

/** `async_main` as a generator: each `yield* wait(f)` is the book's `f.wait`. */
export function asyncMainGenerator(paths: readonly [string, string] = BOOK_PATHS): Future<string> {
  return coroutine(function* () {
    println("Program starting");
    const first = yield* wait(Http.get(paths[0]));
    println(first);
    const second = yield* wait(Http.get(paths[1]));
    println(second);
    return "";
  });
}

// Run as a program (`node dist/main.js`), not when imported: only then load what finds a
// running delayserver (node:net, for one connect) or starts one on a thread (node:http,
// loaded only if none was running). A library user of this module needs neither.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { withDelayServer } = await import("@ch08/delayserver/with-delayserver");
  await withDelayServer(main);
}
