// A thread module with a prebuilt bundle beside it (prebuilt.thread.cjs): run from this
// file, `mark` writes 1; run from the bundle, 2. So a test sees which file a thread started from.

/** Writes 1 into `cells[0]`: this thread loaded the module's own file. */
export function mark(buffer) {
  Atomics.store(new Int32Array(buffer), 0, 1);
}

/** A `runWith` wrapper: calls the target as it is. */
export function callTarget(target, ...args) {
  target(...args);
}
