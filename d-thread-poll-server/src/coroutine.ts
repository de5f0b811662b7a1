import type { Future, PollState } from "./future.js";
import { NOT_READY, ready } from "./future.js";
import type { Waker } from "./runtime.js";

/** The body of a coroutine: a generator that yields the futures it waits for. */
export type CoroutineBody<T> = () => Generator<Future<unknown>, T, unknown>;

/**
 * Waits for `future` inside a coroutine: `const txt = yield* wait(Http.get(path))` is
 * the book's `let txt = Http::get(path).wait;`.
 */
export function* wait<T>(future: Future<T>): Generator<Future<T>, T, unknown> {
  // The coroutine resumes the generator with exactly this future's output.
  return (yield future) as T;
}

/**
 * Turns a generator function into a `Future` — what corofy does to a `coroutine fn`,
 * done at run time: the generator's suspended frame is the state machine's state, and
 * each `yield` is a `.wait` point.
 */
export function coroutine<T>(body: CoroutineBody<T>): Future<T> {
  return new Coroutine(body);
}

class Coroutine<T> implements Future<T> {
  private generator: Generator<Future<unknown>, T, unknown> | undefined;
  private awaiting: Future<unknown> | undefined;
  private resolved = false;

  constructor(private readonly body: CoroutineBody<T>) {}

  poll(waker: Waker): PollState<T> {
    if (this.resolved) throw new Error("polled a resolved coroutine");
    // Like a Rust future, nothing in the body runs before the first poll.
    this.generator ??= this.body();
    let step =
      this.awaiting === undefined ? this.generator.next() : this.resume(this.awaiting, waker);
    while (step !== undefined) {
      if (step.done) {
        this.resolved = true;
        return ready(step.value);
      }
      this.awaiting = step.value;
      step = this.resume(step.value, waker);
    }
    return NOT_READY;
  }

  /** Polls the awaited future and resumes the body with its output (or its error); undefined while it is not ready. */
  private resume(
    awaited: Future<unknown>,
    waker: Waker,
  ): IteratorResult<Future<unknown>, T> | undefined {
    const generator = this.generator;
    if (generator === undefined) throw new Error("unreachable: resumed before start");
    let state: PollState<unknown>;
    try {
      state = awaited.poll(waker);
    } catch (error) {
      // The awaited future failed: raise it at the `yield`, so try/catch in the body works.
      this.awaiting = undefined;
      return generator.throw(error);
    }
    if (!state.ready) return undefined;
    this.awaiting = undefined;
    return generator.next(state.value);
  }
}
