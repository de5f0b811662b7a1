import { println } from "@ch08/http";
import { coroutine, wait } from "./coroutine.js";
import type { Future } from "./future.js";
import { Http } from "./http.js";

/** The book's two requests: 600 ms, then 400 ms, one after the other. */
export const BOOK_PATHS: readonly [string, string] = [
  "/600/HelloAsyncAwait",
  "/400/HelloAsyncAwait",
];

// The same program as stage a. Stage a shows corofy's state machine beside this
// generator; from here on the generator alone stands for `coroutine fn`, each
// `yield* wait(f)` being the book's `f.wait`. What changed is not the program but who
// runs it: the executor passes a Waker down through every poll.

/** The book's `async_main`: two requests in sequence, each response printed. */
export function asyncMain(paths: readonly [string, string] = BOOK_PATHS): Future<string> {
  return coroutine(function* () {
    println("Program starting");
    const first = yield* wait(Http.get(paths[0]));
    println(first);
    const second = yield* wait(Http.get(paths[1]));
    println(second);
    return "";
  });
}
