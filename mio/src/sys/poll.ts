/**
 * The poll(2) backend, as mio's `sys/unix/selector/poll.rs`: portable to any Unix, and
 * the fallback where epoll does not exist (macOS/BSDs would use kqueue in mio; here they
 * would use this, after adding their layouts to libc.ts).
 *
 * poll(2) has no kernel-side registration, so the registrations live in a table in a
 * SharedArrayBuffer, guarded by a small Atomics lock: any thread holding the handle can
 * register, and the polling thread builds its pollfd array from the table. When the
 * table changes while a poll is blocked, the changer pokes an internal wake fd (eventfd
 * here, a pipe elsewhere) so the poll returns, re-reads the table and waits again.
 *
 * ## Emulated edge-triggering
 *
 * poll(2) is level-triggered: a readable socket stays readable, and reporting it on every
 * call would make a mio-style loop spin. So, like mio's poll selector, once a readiness
 * is reported it is *disarmed*: the fd stays registered but poll stops asking for that
 * readiness (hangup/error disarm everything). It is re-armed when the source reports
 * WOULD_BLOCK for it (sources report it through io-source.ts, which calls `rearm` on the
 * selector their fd is registered with), when the Waker wakes, or on `reregister`.
 * This gives the same contract as EPOLLET: drain until WOULD_BLOCK, then wait.
 *
 * ## Table layout (Int32 slots)
 *
 * header: [lock, version, polling, high (max fd + 1), closed, capacity, 0, 0]
 * then 4 slots per fd, indexed by the fd itself: [interest, token, armed, generation]
 */

import { IoError } from "../errors.js";
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
  closeWakeFd,
  drainWakeFd,
  EBADF,
  EEXIST,
  EINTR,
  EINVAL,
  ENOENT,
  errno,
  openWakeFd,
  POLLERR,
  POLLFD_SIZE,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLPRI,
  POLLRDHUP,
  pokeWakeFd,
  poll,
  type WakeFd,
} from "./libc.js";
import { noteInterruption, type PollBackendHandle, type Selector } from "./selector.js";

const LOCK = 0;
const VERSION = 1;
const POLLING = 2;
const HIGH = 3;
const CLOSED = 4;
const CAPACITY = 5;
const HEADER = 8;
const SLOT = 4;
const S_INTEREST = 0;
const S_TOKEN = 1;
const S_ARMED = 2;
const S_GEN = 3;

const READABLE = Interest.READABLE;
const WRITABLE = Interest.WRITABLE;

/** The default table size: fds 0..65535 (1 MiB of shared memory). */
export const DEFAULT_POLL_CAPACITY = 65536;

function pollEvents(interest: number): number {
  let events = 0;
  if ((interest & READABLE) !== 0) events |= POLLIN | POLLRDHUP;
  if ((interest & WRITABLE) !== 0) events |= POLLOUT;
  return events;
}

// The same reading as the epoll backend, with poll's flags.
function translate(revents: number): number {
  let r = 0;
  if ((revents & (POLLIN | POLLPRI)) !== 0) r |= READY_READABLE;
  if ((revents & POLLOUT) !== 0) r |= READY_WRITABLE;
  if ((revents & POLLERR) !== 0) r |= READY_ERROR;
  const hup = (revents & POLLHUP) !== 0;
  if (hup || ((revents & POLLIN) !== 0 && (revents & POLLRDHUP) !== 0)) r |= READY_READ_CLOSED;
  if (hup || ((revents & POLLOUT) !== 0 && (revents & POLLERR) !== 0) || revents === POLLERR) {
    r |= READY_WRITE_CLOSED;
  }
  return r;
}

/** A poll(2) selector over a shared registration table. */
export class PollSelector implements Selector {
  /** Which backend this is. */
  readonly backend = "poll" as const;
  /** Emulated edges are re-armed by WOULD_BLOCK reports, so sources must send them. */
  readonly needsRearm = true;
  private readonly table: Int32Array;
  private readonly wake: WakeFd;
  // Only the creating selector closes the wake fd; copies from handles share it.
  private readonly owner: boolean;
  // The polling thread's view of the table: pollfds, the generation of each entry's slot
  // (to drop events of an fd re-registered meanwhile), and the table version it reflects.
  private pollfds: Buffer = Buffer.alloc(POLLFD_SIZE * 64);
  private gens = new Int32Array(64);
  private nfds = 0;
  private builtVersion = -1;
  private closed = false;

  private constructor(table: Int32Array, wake: WakeFd, owner: boolean) {
    this.table = table;
    this.wake = wake;
    this.owner = owner;
  }

  /** Creates a selector able to register fds below `capacity`. */
  static create(capacity = DEFAULT_POLL_CAPACITY): PollSelector {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`poll backend capacity must be a positive integer, got ${capacity}`);
    }
    const wake = openWakeFd();
    if (typeof wake === "number") throw new IoError("eventfd", wake);
    const table = new Int32Array(new SharedArrayBuffer((HEADER + capacity * SLOT) * 4));
    table[CAPACITY] = capacity;
    return new PollSelector(table, wake, true);
  }

  /** Adopts a selector created on another thread. */
  static fromHandle(handle: PollBackendHandle): PollSelector {
    const wake = { readFd: handle.wakeReadFd, writeFd: handle.wakeWriteFd };
    return new PollSelector(new Int32Array(handle.table), wake, false);
  }

  /** {@inheritDoc SelectorRegistry.handle} */
  handle(): PollBackendHandle {
    return {
      backend: "poll",
      table: this.table.buffer as SharedArrayBuffer,
      wakeReadFd: this.wake.readFd,
      wakeWriteFd: this.wake.writeFd,
    };
  }

  /** {@inheritDoc SelectorRegistry.register} */
  register(fd: number, token: Token, interest: Interest): void {
    const base = this.slot(fd, "register");
    const t = this.table;
    this.lock();
    if (t[base + S_INTEREST] !== 0) {
      this.unlock();
      throw new IoError("register", EEXIST);
    }
    t[base + S_TOKEN] = token | 0;
    t[base + S_INTEREST] = interest;
    t[base + S_ARMED] = interest;
    t[base + S_GEN] = ((t[base + S_GEN] ?? 0) + 1) | 0;
    if (fd + 1 > (t[HIGH] ?? 0)) t[HIGH] = fd + 1;
    this.changedLocked();
  }

  /** {@inheritDoc SelectorRegistry.reregister} */
  reregister(fd: number, token: Token, interest: Interest): void {
    const base = this.slot(fd, "reregister");
    const t = this.table;
    this.lock();
    if (t[base + S_INTEREST] === 0) {
      this.unlock();
      throw new IoError("reregister", ENOENT);
    }
    t[base + S_TOKEN] = token | 0;
    t[base + S_INTEREST] = interest;
    t[base + S_ARMED] = interest;
    this.changedLocked();
  }

  /** {@inheritDoc SelectorRegistry.deregister} */
  deregister(fd: number): void {
    const base = this.slot(fd, "deregister");
    const t = this.table;
    this.lock();
    if (t[base + S_INTEREST] === 0) {
      this.unlock();
      throw new IoError("deregister", ENOENT);
    }
    t[base + S_INTEREST] = 0;
    t[base + S_ARMED] = 0;
    t[base + S_GEN] = ((t[base + S_GEN] ?? 0) + 1) | 0;
    this.changedLocked();
  }

  /** Re-arms `interest` of `fd` after WOULD_BLOCK; free when it is already armed. */
  rearm(fd: number, interest: Interest): void {
    if (fd < 0 || fd >= (this.table[CAPACITY] ?? 0)) return;
    const t = this.table;
    const base = HEADER + fd * SLOT;
    const want = interest & Atomics.load(t, base + S_INTEREST);
    // The hot path: nothing was reported since the last WOULD_BLOCK, so nothing to do.
    if ((Atomics.load(t, base + S_ARMED) & want) === want) return;
    this.lock();
    const registered = t[base + S_INTEREST] ?? 0;
    t[base + S_ARMED] = (t[base + S_ARMED] ?? 0) | (interest & registered);
    this.changedLocked();
  }

  /** {@inheritDoc Selector.select} */
  select(events: Events, timeoutMs: number): boolean {
    const t = this.table;
    const start = timeoutMs > 0 ? performance.now() : 0;
    let timeout = timeoutMs;
    for (;;) {
      // Polling a closed wake fd would spin on POLLNVAL: fail like epoll_wait on a closed fd.
      if (this.closed || Atomics.load(t, CLOSED) === 1) throw new IoError("poll", EBADF);
      // Publish "polling" before reading the version: a concurrent change then either
      // shows up in the version or sees the flag and pokes us (both are seq-cst).
      Atomics.store(t, POLLING, 1);
      if (Atomics.load(t, VERSION) !== this.builtVersion) this.rebuild();
      const n = poll(this.pollfds, this.nfds, timeout);
      Atomics.store(t, POLLING, 0);
      if (n < 0) {
        const e = errno();
        if (e === EINTR) {
          noteInterruption();
          return false;
        }
        throw new IoError("poll", e);
      }
      events._length = n === 0 ? 0 : this.collect(events);
      // A wake-up that produced no event (a poke for a table change, a stale fd) is not a
      // timeout: wait again for the time that is left, so callers never see it.
      if (n === 0 || events._length > 0 || timeout === 0) return true;
      if (timeout > 0) {
        timeout = Math.max(0, Math.ceil(start + timeoutMs - performance.now()));
        if (timeout === 0) return true;
      }
    }
  }

  /** Closes the wake fd (a copy from a handle just stops using it); idempotent. */
  close(): void {
    this.closed = true;
    if (!this.owner || Atomics.exchange(this.table, CLOSED, 1) === 1) return;
    closeWakeFd(this.wake);
  }

  // Reads the revents of the last poll into `events`, disarming what it reports.
  private collect(events: Events): number {
    const buf = this.pollfds;
    const t = this.table;
    const tokens = events._tokens;
    const ready = events._ready;
    const capacity = events.capacity;
    if (buf.readInt16LE(6) !== 0) drainWakeFd(this.wake);
    let count = 0;
    let changed = false;
    this.lock();
    for (let i = 1; i < this.nfds; i++) {
      const revents = buf.readInt16LE(i * POLLFD_SIZE + 6);
      if (revents === 0) continue;
      const fd = buf.readInt32LE(i * POLLFD_SIZE);
      const base = HEADER + fd * SLOT;
      const interest = t[base + S_INTEREST] ?? 0;
      // Deregistered (or re-registered) since the pollfds were built: not ours to report.
      if (interest === 0 || t[base + S_GEN] !== this.gens[i]) continue;
      if ((revents & POLLNVAL) !== 0) {
        // Closed without deregistering: forget it, as epoll forgets a closed fd.
        t[base + S_INTEREST] = 0;
        t[base + S_ARMED] = 0;
        t[base + S_GEN] = ((t[base + S_GEN] ?? 0) + 1) | 0;
        changed = true;
        continue;
      }
      // Events full: leave this fd armed so the next poll reports it.
      if (count === capacity) continue;
      const r = translate(revents);
      let disarm = 0;
      if ((r & READY_READABLE) !== 0) disarm |= READABLE;
      if ((r & READY_WRITABLE) !== 0) disarm |= WRITABLE;
      if ((revents & (POLLHUP | POLLERR)) !== 0) disarm = interest;
      t[base + S_ARMED] = (t[base + S_ARMED] ?? 0) & ~disarm;
      changed = true;
      tokens[count] = (t[base + S_TOKEN] ?? 0) >>> 0;
      ready[count] = r;
      count++;
    }
    if (changed) t[VERSION] = ((t[VERSION] ?? 0) + 1) | 0;
    this.unlock();
    return count;
  }

  // Builds the pollfd array from the table: the wake fd first, then every armed fd.
  private rebuild(): void {
    const t = this.table;
    this.lock();
    const high = t[HIGH] ?? 0;
    if (this.pollfds.length < (high + 1) * POLLFD_SIZE) {
      const size = Math.max(high + 1, this.gens.length * 2);
      this.pollfds = Buffer.alloc(size * POLLFD_SIZE);
      this.gens = new Int32Array(size);
    }
    const buf = this.pollfds;
    buf.writeInt32LE(this.wake.readFd, 0);
    buf.writeInt16LE(POLLIN, 4);
    buf.writeInt16LE(0, 6);
    let n = 1;
    for (let fd = 0; fd < high; fd++) {
      const base = HEADER + fd * SLOT;
      const want = (t[base + S_INTEREST] ?? 0) & (t[base + S_ARMED] ?? 0);
      if (want === 0) continue;
      const at = n * POLLFD_SIZE;
      buf.writeInt32LE(fd, at);
      buf.writeInt16LE(pollEvents(want), at + 4);
      buf.writeInt16LE(0, at + 6);
      this.gens[n] = t[base + S_GEN] ?? 0;
      n++;
    }
    this.nfds = n;
    this.builtVersion = t[VERSION] ?? 0;
    this.unlock();
  }

  // Bumps the version (under the lock), unlocks, and wakes a poll blocked elsewhere.
  private changedLocked(): void {
    const t = this.table;
    t[VERSION] = ((t[VERSION] ?? 0) + 1) | 0;
    this.unlock();
    if (Atomics.load(t, POLLING) === 1 && Atomics.load(t, CLOSED) === 0) pokeWakeFd(this.wake);
  }

  private slot(fd: number, op: string): number {
    // A closed selector refuses changes as epoll_ctl on a closed epoll fd does.
    if (this.closed || Atomics.load(this.table, CLOSED) === 1) throw new IoError(op, EBADF);
    if (!Number.isInteger(fd) || fd < 0) throw new IoError(op, EBADF);
    if (fd >= (this.table[CAPACITY] ?? 0)) {
      throw new IoError(op, EINVAL, `fd ${fd} is beyond the poll backend's capacity`);
    }
    return HEADER + fd * SLOT;
  }

  private lock(): void {
    const t = this.table;
    // Critical sections are a few loads and stores: spin briefly, then sleep in short naps
    // (a timed wait also covers a notify that raced ahead of the wait).
    let spins = 0;
    while (Atomics.compareExchange(t, LOCK, 0, 1) !== 0) {
      if (++spins > 100) Atomics.wait(t, LOCK, 1, 1);
    }
  }

  private unlock(): void {
    Atomics.store(this.table, LOCK, 0);
    Atomics.notify(this.table, LOCK, 1);
  }
}
