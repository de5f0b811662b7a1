import type { PollState } from "@ch08/http";
import { NOT_READY, ready } from "@ch08/http";

export { NOT_READY, type PollState, ready } from "@ch08/http";

/**
 * A value that is not there yet (Rust: `trait Future`). Stage a has no wakers: whoever
 * polls a future that is not ready must find out by other means when to poll again.
 */
export interface Future<T> {
  /** Makes as much progress as possible without blocking. */
  poll(): PollState<T>;
}

/** Runs `futures` concurrently; ready with all their outputs, in order, once every one is. */
export function joinAll<T>(futures: Future<T>[]): JoinAll<T> {
  return new JoinAll(futures);
}

/**
 * The book's `JoinAll`: every poll polls every child that has not finished. With no
 * waker there is no way to know which child an event was for — that cost, one poll per
 * unfinished child per event, is what stage b's wakers and stage c's ready queue remove.
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
  poll(): PollState<T[]> {
    for (let i = 0; i < this.futures.length; i++) {
      const future = this.futures[i];
      if (this.finished[i] || future === undefined) continue;
      this.childPolls++;
      const state = future.poll();
      if (state.ready) {
        this.outputs[i] = state.value;
        this.finished[i] = true;
        this.finishedCount++;
      }
    }
    return this.finishedCount === this.futures.length ? ready(this.outputs as T[]) : NOT_READY;
  }
}
