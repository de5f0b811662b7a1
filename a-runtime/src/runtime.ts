import { checkFuture, isReady, println } from "@ch08/http";
import { Events, Poll, type Registry } from "@ch08/mio";
import { AlreadyRunningError, type BlockOnOptions, Deadline, OutsideRuntimeError } from "@ch08/std";
import { Kind, record, tracing } from "@ch08/trace";
import type { Future } from "./future.js";

export { type BlockOnOptions, DeadlineError, OutsideRuntimeError } from "@ch08/std";

/** The registry of the running runtime; leaf futures reach it through `registry()`. */
let current: Registry | undefined;

/** The registry leaf futures register their sockets with (the book's `runtime::registry()`). */
export function registry(): Registry {
  if (current !== undefined) return current;
  throw new OutsideRuntimeError("create one with `new Runtime()`, then `runtime.blockOn(future)`");
}

/** Stage a's runtime: one `Poll`; between polls of the future, sleep in `epoll_wait`. */
export class Runtime {
  /** How many times `blockOn` slept in `Poll.poll` (the tests count them). */
  waits = 0;

  private readonly poll = new Poll();
  private readonly ownRegistry = this.poll.registry();
  // Reused across waits; the book allocates `Events::with_capacity(100)` each time.
  private readonly events = new Events(100);

  constructor() {
    if (current !== undefined)
      throw new AlreadyRunningError("this thread already has a Runtime: close() it first");
    current = this.ownRegistry;
  }

  /** Polls `future` until it is ready, sleeping on the OS event queue in between. */
  blockOn<T>(future: Future<T>, options: BlockOnOptions = {}): T {
    const deadline = new Deadline(options.timeoutMs);
    for (;;) {
      if (tracing) record(Kind.POLL_BEGIN, 0);
      const state = checkFuture(future, "blockOn was given").poll();
      if (tracing) record(Kind.POLL_END, 0, state.ready ? 1 : 0);
      if (isReady(state)) return state.value;
      // Past the deadline: give up before saying we sleep, so `waits` counts real waits.
      const remaining = deadline.check();
      println("Schedule other tasks");
      println();
      this.waits++;
      this.poll.poll(this.events, remaining ?? null);
    }
  }

  /** Closes the event queue; leaf futures can no longer register. */
  close(): void {
    if (current === this.ownRegistry) current = undefined;
    this.poll.close();
  }

  /** Closes it at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}
