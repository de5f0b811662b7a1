/**
 * `Poll` and `Registry`, as in Rust's mio: the OS event queue and the handle that adds
 * sources to it.
 *
 * ## Edge-triggered readiness
 *
 * Like mio, readiness is edge-triggered: an event says that a source *became* ready, and
 * no new event for that readiness comes until the source has been drained. So on a
 * readable event, read until `read` returns `WOULD_BLOCK` (or 0, end of stream); on a
 * writable event, write until done or `WOULD_BLOCK`. A source that stops early (say,
 * after one read of a bigger response) may never get another event and the program hangs
 * in `poll`. epoll does this in the kernel (EPOLLET); the poll(2) backend emulates it (see
 * `sys/poll.ts`): once it reports a readiness it stops asking for it until the source's
 * `read`/`write` returns `WOULD_BLOCK` or the source is re-registered.
 *
 * ## Threads
 *
 * `Poll.poll` belongs to one thread at a time. `Registry` may be used from any thread:
 * send `registry.handle()` (plain data) in `workerData` and rebuild it there with
 * `Registry.fromHandle`. To stop a `poll` blocked on another thread, use a `Waker`.
 *
 * @example
 * ```ts
 * const poll = new Poll();
 * const events = new Events();
 * const stream = TcpStream.connect("127.0.0.1:8080");
 * poll.registry().register(stream, Token(1), Interest.add(Interest.READABLE, Interest.WRITABLE));
 * poll.poll(events, 1000); // wakes when connected (writable)
 * ```
 */
import { Kind, record, tracing } from "@ch08/trace";
import type { Events } from "./events.js";
import { assertInterest, type Interest } from "./interest.js";
import { chooseBackend, createSelector, selectorFromHandle } from "./sys/backend.js";
import { sourceDeregistered, sourceRegistered } from "./sys/io-source.js";
import type { BackendName, Selector, SelectorHandle, SelectorRegistry } from "./sys/selector.js";
import { assertToken, type Token } from "./token.js";

/** Anything with a file descriptor that can be registered: TcpStream, Waker. */
export interface Source {
  /** The OS file descriptor. */
  readonly fd: number;
}

/** Plain, structured-cloneable data that moves a Poll to another thread. */
export type PollHandle = SelectorHandle;
/** Plain, structured-cloneable data that rebuilds a Registry on another thread. */
export type RegistryHandle = SelectorHandle;

/** Options for `new Poll()`. */
export interface PollOptions {
  /** "epoll" (default on Linux) or "poll"; overrides the MIO_BACKEND environment variable. */
  readonly backend?: BackendName;
  /** poll(2) backend only: the largest fd + 1 it can register (default 65536). */
  readonly capacity?: number;
}

/** Adds, changes and removes sources of a Poll; cheap, shareable across threads by handle. */
export class Registry {
  /** @internal the backend behind this registry. */
  readonly _selector: SelectorRegistry;

  // Private so the published types offer only `poll.registry()` and `fromHandle`.
  private constructor(selector: SelectorRegistry) {
    this._selector = selector;
  }

  /** @internal Wraps a selector; Poll uses it for its own registry. */
  static _of(selector: SelectorRegistry): Registry {
    return new Registry(selector);
  }

  /** Rebuilds a Registry (on any thread) for the same poll instance. */
  static fromHandle(handle: RegistryHandle): Registry {
    return new Registry(selectorFromHandle(handle));
  }

  /**
   * Whether a source's next event waits until its I/O has hit WOULD_BLOCK: true where
   * edges are emulated (poll(2)); false where the kernel raises an edge for whatever
   * arrives later (epoll), so a read known to find nothing may be skipped.
   */
  get needsDraining(): boolean {
    return this._selector.needsRearm;
  }

  /** Starts delivering `interest` readiness of `source` as events carrying `token`. */
  register(source: Source, token: Token, interest: Interest): void {
    assertToken(token);
    assertInterest(interest);
    this._selector.register(source.fd, token, interest);
    sourceRegistered(source.fd, this._selector);
  }

  /** Changes the token and/or interest of an already registered source (re-arms it too). */
  reregister(source: Source, token: Token, interest: Interest): void {
    assertToken(token);
    assertInterest(interest);
    this._selector.reregister(source.fd, token, interest);
    sourceRegistered(source.fd, this._selector);
  }

  /** Stops delivering events for `source`. */
  deregister(source: Source): void {
    this._selector.deregister(source.fd);
    sourceDeregistered(source.fd);
  }

  /** Plain data to send to a worker; see `Registry.fromHandle`. */
  handle(): RegistryHandle {
    return this._selector.handle();
  }
}

const MAX_TIMEOUT = 0x7fff_ffff;

// fromHandle passes an existing selector to the constructor through this slot, so the
// public constructor keeps the plain `new Poll(options?)` shape.
let adopted: Selector | undefined;

/** The OS event queue: blocks until registered sources are ready (mio::Poll). */
export class Poll {
  private readonly selector: Selector;
  private readonly registryInstance: Registry;
  private closed = false;

  /** Creates an event queue: epoll, or poll(2) when chosen by option or MIO_BACKEND=poll. */
  constructor(options: PollOptions = {}) {
    if (adopted !== undefined) {
      this.selector = adopted;
      adopted = undefined;
    } else {
      const backend = chooseBackend(options.backend, process.env.MIO_BACKEND);
      this.selector = createSelector(backend, options);
    }
    this.registryInstance = Registry._of(this.selector);
  }

  /**
   * Rebuilds a Poll from `poll.handle()` (e.g. in a worker), like moving it into a thread.
   * The Poll that created the queue still owns it: only its `close()` releases the OS
   * resources; this copy's `close()` just stops it from being used.
   */
  static fromHandle(handle: PollHandle): Poll {
    adopted = selectorFromHandle(handle);
    return new Poll();
  }

  /** Which backend this Poll runs on. */
  get backend(): BackendName {
    return this.selector.backend;
  }

  /** The registry that adds sources to this Poll. */
  registry(): Registry {
    return this.registryInstance;
  }

  /**
   * Clears `events`, then blocks until at least one registered source is ready or
   * `timeoutMs` passes (`null` = no limit, 0 = just look). A signal that interrupts the
   * wait (EINTR) is retried with the time that is left.
   */
  poll(events: Events, timeoutMs: number | null): void {
    events._length = 0;
    if (timeoutMs !== null && Number.isNaN(timeoutMs)) {
      throw new RangeError("poll timeout must be a number of milliseconds or null, got NaN");
    }
    // A C int bounds the wait; ~24.8 days is "forever" enough to clamp to rather than wrap.
    let timeout =
      timeoutMs === null ? -1 : Math.min(MAX_TIMEOUT, Math.max(0, Math.ceil(timeoutMs)));
    // Only a finite, positive timeout needs the clock, and only to recompute after EINTR.
    const start = timeout > 0 ? performance.now() : 0;
    // Recorded here, so every thread's waits show in a trace, whoever polls.
    if (tracing) record(Kind.WAIT_BEGIN);
    while (!this.selector.select(events, timeout)) {
      if (timeout > 0) {
        const left = Math.ceil(start + (timeoutMs ?? 0) - performance.now());
        timeout = Math.min(MAX_TIMEOUT, Math.max(0, left));
      }
    }
    if (tracing) record(Kind.WAIT_END, events.length);
  }

  /** Plain data to move this Poll to a worker; rebuild it there with `Poll.fromHandle`. */
  handle(): PollHandle {
    return this.selector.handle();
  }

  /** Closes the OS event queue (if this Poll created it; see `fromHandle`); idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.selector.close();
  }

  /** Closes it at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}
