import { println } from "@ch08/http";
import { coroutine, wait } from "./coroutine.js";
import type { Future } from "./future.js";
import { Http } from "./http.js";
import { spawn } from "./runtime.js";

/** What the example's requests look like; the tests scale the delays down. */
export interface ExampleOptions {
  /** Request i waits i × this many ms (the book: 1000). */
  delayUnitMs?: number;
  /** How many requests (the book: 5). */
  count?: number;
  /** Print only each response's last line (the book's multi-threaded example). */
  lastLineOnly?: boolean;
}

/** The book's `request(i)`: `GET /{i*1000}/HelloWorld{i}`, then print the response. */
export function request(i: number, options: ExampleOptions = {}): Future<string> {
  const { delayUnitMs = 1000, lastLineOnly = false } = options;
  return coroutine(function* () {
    const path = `/${i * delayUnitMs}/HelloWorld${i}`;
    const txt = yield* wait(Http.get(path));
    println(lastLineOnly ? (txt.split("\n").pop() ?? "") : txt);
    return txt;
  });
}

/**
 * The book's concurrency example: spawn five requests (delays 0–4 s) as separate tasks
 * and return at once. The executor runs them concurrently; they finish in delay order,
 * all within about the longest delay.
 */
export function asyncMain(options: ExampleOptions = {}): Future<string> {
  const { count = 5 } = options;
  // biome-ignore lint/correctness/useYield: like the book's async_main, it spawns and never waits.
  return coroutine(function* () {
    println("Program starting");
    for (let i = 0; i < count; i++) spawn(request(i, options));
    return "";
  });
}

/** The multi-threaded example's program: the same, printing each response's last line. */
export function asyncMainLastLines(options: ExampleOptions = {}): Future<string> {
  return asyncMain({ ...options, lastLineOnly: true });
}
