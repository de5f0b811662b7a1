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
}

/** Wakes a Poll from any thread; the poll then returns an event carrying `token`. */
export class Waker implements Source {
  private fdValue = -1;
  /** The token events from this waker carry. */
  readonly token: Token;
  private readonly registry: Registry;
  // Only the Waker that created the eventfd closes it; copies made by fromHandle share it.
  private readonly owner: boolean;
  // eventfd reads and writes are exactly 8 bytes; keep both buffers to allocate nothing.
  private readonly one = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
  private readonly sink = Buffer.alloc(8);

  /** Creates the eventfd and registers it READABLE with `token` on `registry`. */
  constructor(registry: Registry, token: Token);
  /** @internal */
  constructor(registry: Registry, token: Token, adoptFd: number);
  constructor(registry: Registry, token: Token, adoptFd?: number) {
    this.registry = registry;
    this.token = token;
    if (adoptFd !== undefined) {
      this.fdValue = adoptFd;
      this.owner = false;
      return;
    }
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
    return new Waker(Registry.fromHandle(handle.registry), handle.token, handle.fd);
  }

  /** Plain data to send to another thread; see `Waker.fromHandle`. */
  handle(): WakerHandle {
    return { fd: this.fd, token: this.token, registry: this.registry.handle() };
  }

  /** Makes the poll return an event for `token`; callable from any thread, any number of times. */
  wake(): void {
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
  }

  /** Drains the counter; the poll owner calls this after seeing `token`. */
  reset(): void {
    read(this.fd, this.sink, 8);
  }

  /** The owner closes the eventfd; a copy from fromHandle just stops using it. Idempotent. */
  close(): void {
    const fd = this.fdValue;
    if (fd < 0) return;
    if (this.owner) {
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
