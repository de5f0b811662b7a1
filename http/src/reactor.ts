import type { Interest, TcpStream } from "@ch08/mio";

/**
 * What a stage supplies so the shared leaf future can wait for its socket — the book's
 * `Reactor` API, and all that differs between stages as far as a leaf future is concerned.
 *
 * - Stage a has no wakers: it registers with its runtime's `Registry` under a fixed
 *   token and ignores `setWaker`.
 * - Stages b and c pass their reactor: `setWaker` stores the most recent waker for the
 *   token, and the reactor thread wakes it when the token fires.
 *
 * `W` is the stage's waker type (`void` in stage a).
 */
export interface Reactor<W> {
  /** A fresh token for a new leaf future (the book's `next_id`). */
  nextId(): number;
  /** Starts watching `stream` under token `id` for `interest` (mio's argument order). */
  register(stream: TcpStream, id: number, interest: Interest): void;
  /** Changes what `stream` is watched for (after the request is written: reads only). */
  reregister(stream: TcpStream, id: number, interest: Interest): void;
  /** Remembers `waker` as the one to wake when `id` fires; always the most recent one. */
  setWaker(waker: W, id: number): void;
  /** Stops watching `stream` and forgets the waker for `id`. */
  deregister(stream: TcpStream, id: number): void;
  /**
   * Forgets the waker for `id` when its stream never got registered (`register` threw
   * after `setWaker`): without it the waker's slot stays taken. Optional, for stages whose
   * wakers take no slot (stage a).
   */
  removeWaker?(id: number): void;
}
