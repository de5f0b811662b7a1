/**
 * The epoll backend, as mio's `sys/unix/selector/epoll.rs`: edge-triggered (EPOLLET)
 * registrations, one preallocated Buffer of epoll_events decoded in place.
 */

import { IoError, syscall } from "../errors.js";
import {
  type Events,
  READY_ERROR,
  READY_READ_CLOSED,
  READY_READABLE,
  READY_WRITABLE,
  READY_WRITE_CLOSED,
} from "../events.js";
import { Interest } from "../interest.js";
import type { Token } from "../token.js";
import {
  close,
  EINTR,
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  EPOLLERR,
  EPOLLET,
  EPOLLHUP,
  EPOLLIN,
  EPOLLOUT,
  EPOLLPRI,
  EPOLLRDHUP,
  epoll_create1,
  epoll_ctl,
  epoll_wait,
  errno,
  LAYOUT,
} from "./libc.js";
import { type EpollHandle, noteInterruption, type Selector } from "./selector.js";

// epoll_event is read and written as 32-bit words in the machine's byte order, as the
// kernel writes it: a typed array's element is a plain load even in code not yet
// compiled, where Buffer's readUInt32LE is a call (a few ms of a short program's run).
// Both layouts (12 bytes packed on x86-64, 16 elsewhere) put every field on a word.
const EVENT_WORDS = LAYOUT.epollEventSize / 4;
const DATA_WORD = LAYOUT.epollDataOffset / 4;

function epollFlags(interest: Interest): number {
  // EPOLLRDHUP lets a read-closed peer show up as an event even before data is read.
  let flags = EPOLLET;
  if (Interest.isReadable(interest)) flags |= EPOLLIN | EPOLLRDHUP;
  if (Interest.isWritable(interest)) flags |= EPOLLOUT;
  return flags >>> 0;
}

/** An epoll instance: registrations go straight to the kernel, so any thread may make them. */
export class EpollSelector implements Selector {
  /** Which backend this is. */
  readonly backend = "epoll" as const;
  /** The kernel re-arms edge-triggered fds itself: sources need not report WOULD_BLOCK. */
  readonly needsRearm = false;
  private epfd: number;
  // Only the selector that created the epoll fd closes it: a copy rebuilt from a handle
  // closing it too would close whatever reused that fd number by then.
  private readonly owner: boolean;
  // One epoll_event for epoll_ctl, and a growable array for epoll_wait: no per-call garbage.
  // Each is a Buffer (what koffi is handed) over the memory of a Uint32Array (what is read).
  private readonly ctlWords = new Uint32Array(4);
  private readonly ctlBuf = Buffer.from(this.ctlWords.buffer);
  private waitWords = new Uint32Array(0);
  private waitBuf: Buffer = Buffer.alloc(0);

  private constructor(epfd: number, owner: boolean) {
    this.epfd = epfd;
    this.owner = owner;
  }

  /** Creates a new epoll instance (close-on-exec). */
  static create(): EpollSelector {
    const epfd = syscall("epoll_create1", epoll_create1(EPOLL_CLOEXEC));
    return new EpollSelector(epfd, true);
  }

  /** Adopts an epoll instance created elsewhere in this process. */
  static fromHandle(handle: EpollHandle): EpollSelector {
    return new EpollSelector(handle.epfd, false);
  }

  /** {@inheritDoc SelectorRegistry.register} */
  register(fd: number, token: Token, interest: Interest): void {
    this.ctl(EPOLL_CTL_ADD, fd, token, interest);
  }

  /** {@inheritDoc SelectorRegistry.reregister} */
  reregister(fd: number, token: Token, interest: Interest): void {
    this.ctl(EPOLL_CTL_MOD, fd, token, interest);
  }

  /** {@inheritDoc SelectorRegistry.deregister} */
  deregister(fd: number): void {
    // Kernels before 2.6.9 wanted a non-null event even for DEL; passing one costs nothing.
    syscall("epoll_ctl", epoll_ctl(this.epfd, EPOLL_CTL_DEL, fd, this.ctlBuf));
  }

  /** The kernel re-arms an edge-triggered fd by itself once it is drained. */
  rearm(_fd: number, _interest: Interest): void {}

  /** {@inheritDoc SelectorRegistry.handle} */
  handle(): EpollHandle {
    return { backend: "epoll", epfd: this.epfd };
  }

  /** {@inheritDoc Selector.select} */
  select(events: Events, timeoutMs: number): boolean {
    const max = events.capacity;
    if (this.waitWords.length < max * EVENT_WORDS) {
      this.waitWords = new Uint32Array(max * EVENT_WORDS);
      this.waitBuf = Buffer.from(this.waitWords.buffer);
    }
    const words = this.waitWords;
    const n = epoll_wait(this.epfd, this.waitBuf, max, timeoutMs);
    if (n < 0) {
      const e = errno();
      if (e === EINTR) {
        noteInterruption();
        return false;
      }
      throw new IoError("epoll_wait", e);
    }
    const tokens = events._tokens;
    const ready = events._ready;
    for (let i = 0; i < n; i++) {
      const base = i * EVENT_WORDS;
      // Tokens are < 2^32, and registered with the rest of the u64 data zero (see ctl).
      tokens[i] = words[base + DATA_WORD] ?? 0;
      ready[i] = translate(words[base] ?? 0);
    }
    events._length = n;
    return true;
  }

  /** Closes the epoll fd (a copy from a handle just stops using it); idempotent. */
  close(): void {
    if (this.epfd >= 0 && this.owner) close(this.epfd);
    this.epfd = -1;
  }

  private ctl(op: number, fd: number, token: Token, interest: Interest): void {
    const words = this.ctlWords;
    words[0] = epollFlags(interest);
    // The u64 data: the token in its low word (both platforms are little-endian), zero above.
    words[DATA_WORD] = token;
    words[DATA_WORD + 1] = 0;
    syscall("epoll_ctl", epoll_ctl(this.epfd, op, fd, this.ctlBuf));
  }
}

// The same reading of the flags as mio's epoll `event` module.
function translate(flags: number): number {
  let r = 0;
  if ((flags & (EPOLLIN | EPOLLPRI)) !== 0) r |= READY_READABLE;
  if ((flags & EPOLLOUT) !== 0) r |= READY_WRITABLE;
  if ((flags & EPOLLERR) !== 0) r |= READY_ERROR;
  const hup = (flags & EPOLLHUP) !== 0;
  if (hup || ((flags & EPOLLIN) !== 0 && (flags & EPOLLRDHUP) !== 0)) r |= READY_READ_CLOSED;
  if (hup || ((flags & EPOLLOUT) !== 0 && (flags & EPOLLERR) !== 0) || flags === EPOLLERR) {
    r |= READY_WRITE_CLOSED;
  }
  return r;
}
