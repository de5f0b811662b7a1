/**
 * What a source (TcpStream, TcpListener) tells the selector it is registered with, as
 * mio's `IoSourceState`: "I hit WOULD_BLOCK" and "I am closing". Only backends whose
 * `needsRearm` is true are told; sources never learn which backend they have.
 *
 * Sources register on one thread and do their I/O on that same thread (a JS object cannot
 * leave its isolate), so a per-isolate fd → selector map finds the selector. epoll never
 * enters it, which leaves the hot-path lookup a miss on an empty Map.
 */
import type { Interest } from "../interest.js";
import type { SelectorRegistry } from "./selector.js";

const registrations = new Map<number, SelectorRegistry>();

/** @internal Registry calls this after registering `fd` on `selector`. */
export function sourceRegistered(fd: number, selector: SelectorRegistry): void {
  if (selector.needsRearm) registrations.set(fd, selector);
}

/** @internal Registry calls this after deregistering `fd`. */
export function sourceDeregistered(fd: number): void {
  registrations.delete(fd);
}

/** @internal Sources call this when an I/O call on `fd` returned EAGAIN for `interest`. */
export function sourceWouldBlock(fd: number, interest: Interest): void {
  const selector = registrations.get(fd);
  if (selector !== undefined) selector.rearm(fd, interest);
}

/**
 * @internal Sources call this before closing `fd`: a poll(2) table would otherwise keep a
 * closed fd (epoll drops closed fds by itself).
 */
export function sourceClosing(fd: number): void {
  const selector = registrations.get(fd);
  if (selector === undefined) return;
  registrations.delete(fd);
  try {
    selector.deregister(fd);
  } catch {
    // Already deregistered elsewhere: nothing left to clean.
  }
}
