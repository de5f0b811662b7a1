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
import { initSingleThreaded } from "./runtime/local.js";
import type { Waker } from "./runtime.js";
import * as runtime from "./runtime.js";

/** What the example's requests look like; the tests scale the delays down. */
export interface ExampleOptions {
  /** Request i waits i × this many ms (the book: 1000). */
  delayUnitMs?: number;
  /** How many requests (the book: 5). */
  count?: number;
  /** Print only each response's last line (the book's multi-threaded example). */
  lastLineOnly?: boolean;
}

/**
 * The book's `main`, CHANGED in stage d: on the single-threaded runtime — no reactor
 * thread; when no task is ready, the executor itself blocks in `epoll_wait`.
 * `generator` runs the same program written as a generator instead of the state machine.
 */
export function main(generator = process.argv.includes("--generator")): void {
  if (process.env.CH08_EXPERIMENT === "join-all") {
    joinAllExperiment();
    return;
  }
  const future = generator ? asyncMainGenerator() : asyncMain();
  const single = initSingleThreaded();
  try {
    single.executor.blockOn(future);
    if (single.executor.unjoinedFailures.length > 0) process.exitCode = 1;
  } finally {
    single.close();
  }
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
//   coroutine fn request(i: usize) {
//       let path = format!("/{}/HelloWorld{i}", i * 1000);
//       let txt = Http::get(&path).wait;
//       println!("{txt}");
//   }
//
//   coroutine fn async_main() {
//       println!("Program starting");
//       for i in 0..5 {
//           let future = request(i);
//           runtime::spawn(future);
//       }
//   }
//
// Below it is written twice: as corofy rewrites it (a state machine), and as a generator.

/** `request` as corofy rewrites it: a hand-written state machine. */
export function request(i: number, options: ExampleOptions = {}): Future<string> {
  return new Coroutine0(i, options);
}

/** `async_main` as corofy rewrites it: a hand-written state machine. */
export function asyncMain(options: ExampleOptions = {}): Future<string> {
  return new Coroutine1(options);
}

/** Where a state machine stands: before its first request, waiting on one, or done. */
type State0 =
  | { readonly kind: "Start" }
  | { readonly kind: "Wait1"; readonly future: Future<string> }
  | { readonly kind: "Resolved" };

class Coroutine0 implements Future<string> {
  private state: State0 = { kind: "Start" };

  constructor(
    private readonly i: number,
    private readonly options: ExampleOptions,
  ) {}

  poll(waker: Waker): PollState<string> {
    for (;;) {
      switch (this.state.kind) {
        case "Start": {
          // ---- code you actually wrote ----
          const path = `/${this.i * (this.options.delayUnitMs ?? 1000)}/HelloWorld${this.i}`;
          // ---------------------------------
          this.state = { kind: "Wait1", future: Http.get(path) };
          break;
        }
        case "Wait1": {
          const polled = this.state.future.poll(waker);
          if (!polled.ready) return NOT_READY;
          // ---- code you actually wrote ----
          const txt = polled.value;
          println(this.options.lastLineOnly ? (txt.split("\n").pop() ?? "") : txt);
          // ---------------------------------
          this.state = { kind: "Resolved" };
          return ready(txt);
        }
        case "Resolved":
          throw new PolledAfterReadyError();
      }
    }
  }
}

class Coroutine1 implements Future<string> {
  private state: State0 = { kind: "Start" };

  constructor(private readonly options: ExampleOptions) {}

  poll(_waker: Waker): PollState<string> {
    switch (this.state.kind) {
      case "Start": {
        // ---- code you actually wrote ----
        println("Program starting");
        for (let i = 0; i < (this.options.count ?? 5); i++) {
          runtime.spawn(request(i, this.options));
        }
        // ---------------------------------
        this.state = { kind: "Resolved" };
        return ready("");
      }
      default:
        throw new PolledAfterReadyError();
    }
  }
}

/** `async_main` as a generator: each `yield* wait(f)` is the book's `f.wait`. */
export function asyncMainGenerator(options: ExampleOptions = {}): Future<string> {
  const { count = 5 } = options;
  // biome-ignore lint/correctness/useYield: like the book's async_main, it spawns and never waits.
  return coroutine(function* () {
    println("Program starting");
    for (let i = 0; i < count; i++) runtime.spawn(requestGenerator(i, options));
    return "";
  });
}

/** `request` as a generator. */
export function requestGenerator(i: number, options: ExampleOptions = {}): Future<string> {
  const { delayUnitMs = 1000, lastLineOnly = false } = options;
  return coroutine(function* () {
    const path = `/${i * delayUnitMs}/HelloWorld${i}`;
    const txt = yield* wait(Http.get(path));
    println(lastLineOnly ? (txt.split("\n").pop() ?? "") : txt);
    return txt;
  });
}

// Run as a program (`node dist/main.js`), not when imported: only then load what finds a
// running delayserver (node:net, for one connect) or starts one on a thread (node:http,
// loaded only if none was running). A library user of this module needs neither.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { withDelayServer } = await import("@ch08/delayserver/with-delayserver");
  await withDelayServer(main);
}
