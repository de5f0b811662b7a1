import type { PollState } from "@ch08/http";
import { NOT_READY, ready } from "@ch08/http";
import type { Waker } from "./runtime.js";

export { NOT_READY, type PollState, ready } from "@ch08/http";

/**
 * A value that is not there yet (Rust: `trait Future`). CHANGED from stage a: `poll`
 * takes the `Waker` to wake when the future can make progress again.
 */
export interface Future<T> {
  /** Makes as much progress as possible; if not ready, arranges for `waker` to be woken. */
  poll(waker: Waker): PollState<T>;
}

/** Runs `futures` concurrently; ready with all their outputs, in order, once every one is. */
export function joinAll<T>(futures: Future<T>[]): JoinAll<T> {
  return new JoinAll(futures);
}

/**
 * The book's `JoinAll`, now passing the waker down. Still one future to the executor:
 * any child's wake polls the whole `JoinAll`, which polls every unfinished child. That
 * cost is what stage c's tasks and ready queue remove.
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

  /** Polls every unfinished child once, with the same waker. */
  poll(waker: Waker): PollState<T[]> {
    for (let i = 0; i < this.futures.length; i++) {
      const future = this.futures[i];
      if (this.finished[i] || future === undefined) continue;
      this.childPolls++;
      const state = future.poll(waker);
      if (state.ready) {
        this.outputs[i] = state.value;
        this.finished[i] = true;
        this.finishedCount++;
      }
    }
    return this.finishedCount === this.futures.length ? ready(this.outputs as T[]) : NOT_READY;
  }
}
