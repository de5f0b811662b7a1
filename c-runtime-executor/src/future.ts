import type { PollState } from "@ch08/http";
import { checkFuture, checkGenerator, isReady, NOT_READY, ready } from "@ch08/http";
import { PolledAfterReadyError } from "@ch08/std";
import type { Waker } from "./runtime.js";

export {
  NOT_READY,
  NotAFutureError,
  NotAGeneratorError,
  NotAPollStateError,
  type PollState,
  ready,
} from "@ch08/http";

/**
 * A value that is not there yet (Rust: `trait Future`). CHANGED from stage a: `poll`
 * takes the `Waker` to wake when the future can make progress again.
 */
export interface Future<T> {
  /** Makes as much progress as possible; if not ready, arranges for `waker` to be woken. */
  poll(waker: Waker): PollState<T>;
  /** Releases what it holds (a socket, a token) when it will not be polled again. */
  close?(): void;
}

/** Runs `futures` concurrently; ready with all their outputs, in order, once every one is. */
export function joinAll<T>(futures: Future<T>[]): JoinAll<T> {
  return new JoinAll(futures);
}

/**
 * The book's `JoinAll`: one future to whoever polls it, which polls every unfinished child
 * each time — the cost stage c's tasks and ready queue remove.
 */
export class JoinAll<T> implements Future<T[]> {
  /** How many times a child was polled, in total (the benchmarks report it). */
  childPolls = 0;

  private readonly outputs: (T | undefined)[];
  private readonly finished: boolean[];
  private finishedCount = 0;

  constructor(private readonly futures: Future<T>[]) {
    this.outputs = futures.map(() => undefined);
    this.finished = futures.map(() => false);
  }

  /** Polls every unfinished child once. */
  poll(waker: Waker): PollState<T[]> {
    for (let i = 0; i < this.futures.length; i++) {
      const future = this.futures[i];
      if (this.finished[i] || future === undefined) continue;
      this.childPolls++;
      const state = future.poll(waker);
      if (isReady(state)) {
        this.outputs[i] = state.value;
        this.finished[i] = true;
        this.finishedCount++;
      }
    }
    return this.finishedCount === this.futures.length ? ready(this.outputs as T[]) : NOT_READY;
  }
  /** Releases every child. */
  close(): void {
    for (const future of this.futures) future.close?.();
  }
}

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

/** What resuming the body gives: its next awaited future or its output; undefined while waiting. */
type Step<T> = IteratorResult<Future<unknown>, T> | undefined;

class Coroutine<T> implements Future<T> {
  private generator: Generator<Future<unknown>, T, unknown> | undefined;
  private awaiting: Future<unknown> | undefined;
  private resolved = false;

  constructor(private readonly body: CoroutineBody<T>) {}

  poll(waker: Waker): PollState<T> {
    if (this.resolved) throw new PolledAfterReadyError("coroutine");
    // Like a Rust future, nothing in the body runs before the first poll. An async function*
    // would hand out Promises as its steps, and this loop would spin on them for ever.
    this.generator ??= checkGenerator(this.body());
    let step = this.awaiting ? this.resume(this.awaiting, waker) : this.generator.next();
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
  private resume(awaited: Future<unknown>, waker: Waker): Step<T> {
    const generator = this.generator;
    if (generator === undefined) throw new Error("unreachable: resumed before start");
    let state: PollState<unknown>;
    try {
      state = checkFuture(awaited, "a coroutine's body yielded").poll(waker);
    } catch (error) {
      // The awaited future failed: raise it at the `yield`, so try/catch in the body works.
      this.awaiting = undefined;
      return generator.throw(error);
    }
    if (!isReady(state)) return undefined;
    this.awaiting = undefined;
    return generator.next(state.value);
  }
  /** Releases the future it waits for; it will not be polled again. */
  close(): void {
    // Forgotten first: a close that comes back here (through a JoinHandle) then ends.
    const awaiting = this.awaiting;
    this.awaiting = undefined;
    this.resolved = true;
    awaiting?.close?.();
  }
}
