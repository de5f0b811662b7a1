/**
 * mio's `Waker`: wakes a `Poll` blocked on another thread. An eventfd registered READABLE
 * with the caller's token; `wake()` adds 1 to its counter, which makes it readable.
 */
import { IoError, syscall } from "./errors.js";
import { Interest } from "./interest.js";
import { Registry, type RegistryHandle, type Source } from "./poll.js";
import { sourceClosing } from "./sys/io-source.js";
import {
  close,
  EAGAIN,
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  errno,
  eventfd,
  read,
  write,
} from "./sys/libc.js";
import type { Token } from "./token.js";

/** Plain data that rebuilds a Waker on another thread. */
export interface WakerHandle {
  readonly fd: number;
  readonly token: Token;
  readonly registry: RegistryHandle;
  /** The owner's close flag and its count of wakes in flight (see `Waker.close`). */
  readonly guard: SharedArrayBuffer;
}

/** The guard's cells: wakes writing right now, and whether the owner has closed the eventfd. */
const IN_FLIGHT = 0;
const CLOSED = 1;
/** How long `close` waits for wakes in flight on other threads. */
const IN_FLIGHT_WAIT_MS = 1000;

/** Wakes a Poll from any thread; the poll then returns an event carrying `token`. */
export class Waker implements Source {
  private fdValue = -1;
  /** The token events from this waker carry. */
  readonly token: Token;
  private readonly registry: Registry;
  // Only the Waker that created the eventfd closes it; copies made by fromHandle share it.
  private readonly owner: boolean;
  // Shared by the owner and its copies, so a copy never writes to a closed fd (see close).
  private readonly guard: Int32Array;
  // eventfd reads and writes are exactly 8 bytes; keep both buffers to allocate nothing.
  private readonly one = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
  private readonly sink = Buffer.alloc(8);

  /** Creates the eventfd and registers it READABLE with `token` on `registry`. */
  constructor(registry: Registry, token: Token);
  /** @internal */
  constructor(registry: Registry, token: Token, adopt: WakerHandle);
  constructor(registry: Registry, token: Token, adopt?: WakerHandle) {
    this.registry = registry;
    this.token = token;
    if (adopt !== undefined) {
      this.fdValue = adopt.fd;
      this.owner = false;
      this.guard = new Int32Array(adopt.guard);
      return;
    }
    this.guard = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    const fd = syscall("eventfd", eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    this.fdValue = fd;
    this.owner = true;
    try {
      registry.register(this, token, Interest.READABLE);
    } catch (err) {
      close(fd);
      this.fdValue = -1;
      throw err;
    }
  }

  /** The eventfd, or -1 once closed. */
  get fd(): number {
    return this.fdValue;
  }

  /** Rebuilds a Waker from `waker.handle()` on another thread (it does not own the fd). */
  static fromHandle(handle: WakerHandle): Waker {
    return new Waker(Registry.fromHandle(handle.registry), handle.token, handle);
  }

  /** Plain data to send to another thread; see `Waker.fromHandle`. */
  handle(): WakerHandle {
    return {
      fd: this.fd,
      token: this.token,
      registry: this.registry.handle(),
      guard: this.guard.buffer as SharedArrayBuffer,
    };
  }

  /**
   * Makes the poll return an event for `token`; callable from any thread, any number of
   * times. Once the owner has closed the waker there is no poll left to wake, and it
   * does nothing (Rust's Waker keeps its fd alive instead, through its `Arc`).
   */
  wake(): void {
    const { guard } = this;
    // Counted in before looking at the flag; the owner sets the flag before it looks at
    // the count. Sequentially consistent atomics: one of the two sees the other.
    Atomics.add(guard, IN_FLIGHT, 1);
    try {
      if (Atomics.load(guard, CLOSED) === 1) return;
      for (;;) {
        if (write(this.fd, this.one, 8) === 8) break;
        const e = errno();
        // A full counter (2^64 - 2 wakes nobody drained) already means "woken": reset, retry.
        if (e === EAGAIN) this.reset();
        else throw new IoError("write", e);
      }
      // Another thread made the eventfd readable without its selector seeing a WOULD_BLOCK:
      // say so through the seam (the poll(2) backend re-arms it; epoll ignores the call).
      this.registry._selector.rearm(this.fd, Interest.READABLE);
    } finally {
      if (Atomics.sub(guard, IN_FLIGHT, 1) === 1) Atomics.notify(guard, IN_FLIGHT);
    }
  }

  /** Drains the counter; the poll owner calls this after seeing `token`. */
  reset(): void {
    read(this.fd, this.sink, 8);
  }

  /**
   * The owner closes the eventfd; a copy from fromHandle just stops using it. Idempotent.
   * A copy on another thread may be waking at this very moment: the owner lets that write
   * finish before closing, or its fd number, soon reused, would get the write instead.
   */
  close(): void {
    const fd = this.fdValue;
    if (fd < 0) return;
    if (this.owner) {
      const { guard } = this;
      Atomics.store(guard, CLOSED, 1);
      // A write takes microseconds. A copy whose thread was terminated in the middle of a
      // wake never counts itself out, but it can no longer write either: stop waiting then.
      const giveUpAt = performance.now() + IN_FLIGHT_WAIT_MS;
      for (let writing = Atomics.load(guard, IN_FLIGHT); writing > 0; ) {
        const left = giveUpAt - performance.now();
        if (left <= 0) break;
        Atomics.wait(guard, IN_FLIGHT, writing, left);
        writing = Atomics.load(guard, IN_FLIGHT);
      }
      sourceClosing(fd);
      close(fd);
    }
    this.fdValue = -1;
  }

  /** Closes it at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}
