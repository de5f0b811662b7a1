/**
 * Cells of the reactor's control block, an `Int32Array` over shared memory that the
 * starting thread and the reactor thread both see. (Its own module, without imports, so
 * the reactor thread's entry can report a failure even when nothing else loads.)
 */
export const Control = {
  /** Set to 1 to ask the reactor thread to leave its loop. */
  STOP: 0,
  /** The reactor thread sets it to 1 when it has left its loop. */
  STOPPED: 1,
  /** Set to 1 if the reactor thread failed; the executors then stop waiting for it. */
  FAILED: 2,
  /** How many times the reactor returned from `Poll.poll`. */
  WAITS: 3,
  /** How many events it handled. */
  EVENTS: 4,
  /** How many of those woke a waker. */
  WAKES: 5,
  /** How many found no waker (the token was deregistered): dropped. */
  DROPPED: 6,
  /** 1 once the reactor thread runs its loop; -1 if it could not start. */
  READY: 7,
  SIZE: 8,
} as const;

/**
 * The state cell of a thread the runtime starts. A thread leaves STARTING only once its
 * module graph, koffi's native addon included, has loaded: terminating a worker while
 * that addon registers aborts the whole process (a native napi_throw, exit 134).
 */
export const ThreadState = {
  STARTING: 0,
  RUNNING: 1,
  FINISHED: 2,
  FAILED: 3,
} as const;
