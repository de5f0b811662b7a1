/**
 * The backend seam, as mio's `sys::Selector`: what Poll and Registry need from the OS.
 * `epoll.ts` and `poll.ts` implement it; nothing above `sys/` knows which one it has.
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
   * Tells the selector that `fd` hit WOULD_BLOCK for `interest`, so edge-triggered
   * readiness may be reported again. epoll does this in the kernel: a no-op there.
   */
  rearm(fd: number, interest: Interest): void;
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

// Sources register on one thread and are read on that same thread (a JS object cannot
// leave its isolate), so a per-isolate fd → registry map lets TcpStream report
// WOULD_BLOCK to the poll(2) backend without knowing it exists. epoll leaves it empty,
// which makes the hot-path lookup a miss on an empty Map.
const wouldBlockTargets = new Map<number, SelectorRegistry>();

/** @internal Called by a backend that needs WOULD_BLOCK notifications for `fd`. */
export function trackWouldBlock(fd: number, registry: SelectorRegistry): void {
  wouldBlockTargets.set(fd, registry);
}

/** @internal Called when `fd` is deregistered or closed. */
export function untrackWouldBlock(fd: number): SelectorRegistry | undefined {
  const registry = wouldBlockTargets.get(fd);
  if (registry !== undefined) wouldBlockTargets.delete(fd);
  return registry;
}

/** Sources call this when an I/O call on `fd` returned EAGAIN for `interest`. */
export function wouldBlock(fd: number, interest: Interest): void {
  const registry = wouldBlockTargets.get(fd);
  if (registry !== undefined) registry.rearm(fd, interest);
}

/**
 * Sources call this before closing `fd`: the poll(2) backend would otherwise keep a
 * closed fd in its table (epoll drops closed fds by itself).
 */
export function sourceClosing(fd: number): void {
  const registry = untrackWouldBlock(fd);
  if (registry !== undefined) {
    try {
      registry.deregister(fd);
    } catch {
      // Already deregistered elsewhere: nothing left to clean.
    }
  }
}
