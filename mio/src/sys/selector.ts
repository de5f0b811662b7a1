/**
 * The backend seam, as mio's `sys::Selector`: everything Poll, Registry, the sources and
 * the Waker need from the OS event queue, written down once. `epoll.ts` and `poll.ts`
 * implement it, `backend.ts` picks one; nothing outside `sys/` knows which one it has, so
 * a kqueue backend is one more file that implements `Selector` plus a line in backend.ts.
 */
import type { Events } from "../events.js";
import type { Interest } from "../interest.js";
import type { Token } from "../token.js";

/** The backends this package has. */
export type BackendName = "epoll" | "poll";

/** A structured-cloneable description of an epoll instance: the fd is process-wide. */
export interface EpollHandle {
  readonly backend: "epoll";
  readonly epfd: number;
}

/** A structured-cloneable description of a poll(2) selector: its shared table and wake fd. */
export interface PollBackendHandle {
  readonly backend: "poll";
  /** The registration table and its lock (see sys/poll.ts for the layout). */
  readonly table: SharedArrayBuffer;
  readonly wakeReadFd: number;
  readonly wakeWriteFd: number;
}

/** Either backend's handle; plain data, so it crosses `postMessage` and `workerData`. */
export type SelectorHandle = EpollHandle | PollBackendHandle;

/** The registration half: usable from any thread that holds a handle. */
export interface SelectorRegistry {
  readonly backend: BackendName;
  /** Starts reporting `interest` readiness of `fd` as `token`; an fd registers once. */
  register(fd: number, token: Token, interest: Interest): void;
  /** Replaces the token/interest of a registered fd (and re-arms it). */
  reregister(fd: number, token: Token, interest: Interest): void;
  /** Stops reporting `fd`. */
  deregister(fd: number): void;
  /**
   * Tells the selector that `fd` may become ready for `interest` again without it having
   * seen so: the source hit WOULD_BLOCK, or a Waker was poked. A backend that emulates
   * edge-triggering (poll(2)) re-arms the fd; one whose kernel does it (epoll, kqueue)
   * ignores the call.
   */
  rearm(fd: number, interest: Interest): void;
  /**
   * Whether `rearm` matters for this backend: sources skip the bookkeeping (see
   * io-source.ts) when it does not, which keeps epoll's would-block path free.
   */
  readonly needsRearm: boolean;
  /** Plain data from which `fromHandle` rebuilds this selector on another thread. */
  handle(): SelectorHandle;
}

/** The polling half, owned by one thread at a time. */
export interface Selector extends SelectorRegistry {
  /**
   * Waits up to `timeoutMs` (-1 = forever) and fills `events`. Returns false if a signal
   * interrupted the wait (EINTR) so the caller can retry with the time left.
   */
  select(events: Events, timeoutMs: number): boolean;
  /** Releases the OS resources; idempotent. */
  close(): void;
}

// Counts EINTRs seen by any selector in this thread, so a test can prove that a signal
// really interrupted a wait (and was retried) rather than arriving at a quiet moment.
let interruptions = 0;

/** @internal Backends call this when their wait returned EINTR. */
export function noteInterruption(): void {
  interruptions++;
}

/** @internal How many waits a signal has interrupted in this thread. */
export function interruptionCount(): number {
  return interruptions;
}
