import {
  type Future,
  Http,
  NOT_READY,
  type PollState,
  ready,
  spawn,
  type Waker,
} from "@ch08/c-runtime-executor";
import type { HttpGetFuture } from "@ch08/http";
import { isOk } from "./measure.js";

/** Cells of the Int32Array that counted leaves report into (shared across threads). */
export const Cell = {
  /** The executor thread is up and waiting for GO. */
  READY: 0,
  /** The main thread says: start. */
  GO: 1,
  /** Sum of the leaf futures' polls. */
  POLLS: 2,
  /** Complete 200 responses. */
  OK: 3,
  SIZE: 4,
} as const;

/** A leaf future that reports its polls and its outcome into shared cells when done. */
class Counted implements Future<void> {
  constructor(
    private readonly leaf: HttpGetFuture<Waker>,
    private readonly cells: Int32Array,
  ) {}
  poll(waker: Waker): PollState<void> {
    const state = this.leaf.poll(waker);
    if (!state.ready) return NOT_READY;
    Atomics.add(this.cells, Cell.POLLS, this.leaf.polls);
    if (isOk(state.value)) Atomics.add(this.cells, Cell.OK, 1);
    return ready(undefined);
  }
}

/**
 * The top-level future of a stage c batch: spawns one task per request and is done —
 * as the book's `async_main` does; `blockOn` returns when every task has finished.
 * With `cells`, each task reports into them (the leaves may live on another thread);
 * without, the leaves are pushed into `leaves` for the caller to read.
 */
export function spawnAll(
  n: number,
  path: (i: number) => string,
  sink: { readonly cells: Int32Array } | { readonly leaves: HttpGetFuture<Waker>[] },
): Future<void> {
  return {
    poll(): PollState<void> {
      for (let i = 0; i < n; i++) {
        const leaf = Http.get(path(i));
        if ("cells" in sink) spawn(new Counted(leaf, sink.cells));
        else {
          sink.leaves.push(leaf);
          spawn(leaf);
        }
      }
      return ready(undefined);
    },
  };
}
