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

/**
 * A poll returned something that is not a `PollState`: the Promise of an `async poll`, or
 * nothing at all. Read as "not ready", either would leave its executor waiting for a wake
 * that nobody will send, so every executor refuses it with this instead.
 */
export class NotAPollStateError extends TypeError {
  constructor(returned: unknown) {
    super(
      `poll() returned ${describe(returned)}, not a PollState: return ready(value) when the ` +
        "future is done and NOT_READY when it must wait. An executor here cannot wait on a " +
        "Promise, so poll must not be async: keep what the future waits for as its state, " +
        "and check it again on the next poll.",
    );
    this.name = "NotAPollStateError";
  }
}

/** How a value a poll should not have returned reads in the error. */
function describe(value: unknown): string {
  if (isThenable(value)) return "a Promise (is poll declared async?)";
  if (value === undefined) return "undefined (a path through poll that returns nothing?)";
  return describeValue(value, "an object with no boolean `ready`");
}

/** Whether `value` is a Promise (or any thenable): what `async` code hands out. */
function isThenable(value: unknown): boolean {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === "function";
}

/**
 * Whether a poll's answer is `Ready`; throws `NotAPollStateError` when it is no `PollState`
 * at all. Every executor and combinator reads answers through it, so a wrong one fails at
 * once, where it was returned, instead of hanging the runtime.
 */
export function isReady<T>(state: PollState<T>): state is Ready<T> {
  const ready = (state as Partial<PollState<T>> | null | undefined)?.ready;
  if (ready === true || ready === false) return ready;
  throw new NotAPollStateError(state);
}

/**
 * Something stands where a future belongs: a coroutine's body yielded it, or it was given
 * to `blockOn`, `spawn` or `timeout`. Usually a Promise (an `await` habit) or a
 * `ready(value)`, which is what a poll returns, not a future.
 */
export class NotAFutureError extends TypeError {
  constructor(where: string, got: unknown) {
    super(
      `${where} ${describeValue(got)}, not a Future: pass an object whose poll ` +
        "returns ready(value) or NOT_READY, and in a coroutine wait for it with " +
        "`yield* wait(future)`. A Promise cannot be waited for here: an executor blocks " +
        "its thread, so Node's event loop, which settles Promises, does not run.",
    );
    this.name = "NotAFutureError";
  }
}

/**
 * How a value that is not what was wanted reads in these errors: "a Promise", "null",
 * "a number"…; an object that is none of those reads as `anObject`.
 */
function describeValue(value: unknown, anObject = "an object with no poll method"): string {
  if (isThenable(value)) return "a Promise";
  const ready = (value as { ready?: unknown } | null | undefined)?.ready;
  if (ready === true || ready === false) return "a PollState (what a poll returns)";
  if (value === undefined || value === null) return String(value);
  return typeof value === "object" ? anObject : `a ${typeof value}`;
}

/** `value` if it is a future (it has a `poll` method); else throws `NotAFutureError`. */
export function checkFuture<F>(value: F, where: string): F {
  if (typeof (value as { poll?: unknown } | null | undefined)?.poll === "function") return value;
  throw new NotAFutureError(where, value);
}

/**
 * A coroutine's body returned no generator: it is an `async function*` (whose steps are
 * Promises: read as futures, they made the coroutine loop for ever without returning), an
 * `async` function, or a plain function.
 */
export class NotAGeneratorError extends TypeError {
  constructor(got: unknown) {
    const what =
      typeof (got as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] ===
      "function"
        ? "an async generator (is the body an async function*?)"
        : isThenable(got)
          ? "a Promise (is the body an async function?)"
          : describeValue(got);
    super(
      `coroutine(body): body() returned ${what}, not a generator: write the body as a plain ` +
        "`function*` (not async) and wait for each future with `yield* wait(future)`, not `await`.",
    );
    this.name = "NotAGeneratorError";
  }
}

/** `value` if it is a (synchronous) generator; else throws `NotAGeneratorError`. */
export function checkGenerator<G>(value: G): G {
  const it = value as Partial<Generator> | null | undefined;
  if (
    typeof it?.next === "function" &&
    typeof it.throw === "function" &&
    typeof it[Symbol.iterator] === "function"
  ) {
    return value;
  }
  throw new NotAGeneratorError(value);
}
