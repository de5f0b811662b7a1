// The state cell of a spawned thread, in a module without imports so the thread entry
// can report on it even when nothing else loads.

/**
 * Where a spawned thread stands. It leaves STARTING only once its module graph, koffi's
 * native addon included, has loaded: a worker terminated while that addon registers
 * aborts the whole process (a native napi_throw, exit 134), so nothing ends a thread,
 * and the process does not exit, while one is STARTING.
 */
export const ThreadState = {
  STARTING: 0,
  RUNNING: 1,
  FINISHED: 2,
  FAILED: 3,
} as const;

/** Park-token value that makes a park return (see `Thread`). */
export const NOTIFIED = 1;
/** Cell 0 of a thread table counts the slots handed out; slot n is cell n. */
export const NEXT_SLOT = 0;

/** Unparks every thread of a thread table: what a failing thread does so none waits forever. */
export function unparkAll(tokens: Int32Array): void {
  for (let slot = 1; slot < Atomics.load(tokens, NEXT_SLOT); slot++) {
    Atomics.store(tokens, slot, NOTIFIED);
    Atomics.notify(tokens, slot);
  }
}
