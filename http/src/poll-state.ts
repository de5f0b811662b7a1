/**
 * The answer to a poll: `Ready` with the output, or `NotReady`.
 *
 * It lives beside the shared leaf future because every stage's futures and the leaf
 * future must agree on it; each stage's `future.ts` re-exports it. `NotReady` is one
 * frozen object, so a poll that finds nothing to do allocates nothing.
 */
export type PollState<T> = Ready<T> | NotReady;

/** The future has finished; `value` is its output (Rust: `PollState::Ready(T)`). */
export interface Ready<T> {
  readonly ready: true;
  readonly value: T;
}

/** The future cannot progress yet (Rust: `PollState::NotReady`). */
export interface NotReady {
  readonly ready: false;
}

/** The one `NotReady` value: returning it allocates nothing. */
export const NOT_READY: NotReady = Object.freeze({ ready: false });

/** Wraps an output as `Ready`. */
export function ready<T>(value: T): Ready<T> {
  return { ready: true, value };
}
