/**
 * The one place that knows the OS: koffi bindings to libc, and the constants and struct
 * layouts of each supported platform. Everything above `sys/` speaks in fds, numbers and
 * Buffers; nothing above it may import koffi.
 */
import { endianness } from "node:os";
import koffi from "koffi";
import { checkPlatform, type PlatformLayout } from "./platform.js";

const check = checkPlatform(process.platform, process.arch, endianness());
if (!check.ok) {
  throw new Error(check.message);
}
/** The layout of the platform we are running on (load fails on any other). */
export const LAYOUT: PlatformLayout = check.layout;

// Linux values, identical on x86-64 and aarch64 (both use the asm-generic numbering for
// these). A port to another OS replaces this block, not the code that uses it.
/** AF_INET. */
export const AF_INET = 2;
/** SOCK_STREAM. */
export const SOCK_STREAM = 1;
/** SOCK_NONBLOCK (= O_NONBLOCK). */
export const SOCK_NONBLOCK = 0o4000;
/** SOCK_CLOEXEC (= O_CLOEXEC). */
export const SOCK_CLOEXEC = 0o2000000;
/** SOL_SOCKET. */
export const SOL_SOCKET = 1;
/** SO_ERROR. */
export const SO_ERROR = 4;
/** SO_REUSEADDR: a restarted server can bind its port while old connections sit in TIME_WAIT. */
export const SO_REUSEADDR = 2;
/** MSG_NOSIGNAL: a write to a closed peer returns EPIPE instead of raising SIGPIPE. */
export const MSG_NOSIGNAL = 0x4000;
/** EPOLL_CLOEXEC. */
export const EPOLL_CLOEXEC = 0o2000000;
/** EPOLL_CTL_ADD. */
export const EPOLL_CTL_ADD = 1;
/** EPOLL_CTL_DEL. */
export const EPOLL_CTL_DEL = 2;
/** EPOLL_CTL_MOD. */
export const EPOLL_CTL_MOD = 3;
/** EPOLLIN. */
export const EPOLLIN = 0x001;
/** EPOLLPRI. */
export const EPOLLPRI = 0x002;
/** EPOLLOUT. */
export const EPOLLOUT = 0x004;
/** EPOLLERR. */
export const EPOLLERR = 0x008;
/** EPOLLHUP. */
export const EPOLLHUP = 0x010;
/** EPOLLRDHUP. */
export const EPOLLRDHUP = 0x2000;
/** EPOLLET. */
export const EPOLLET = 0x80000000;
/** EFD_NONBLOCK. */
export const EFD_NONBLOCK = 0o4000;
/** EFD_CLOEXEC. */
export const EFD_CLOEXEC = 0o2000000;
/** O_NONBLOCK, for pipe2. */
export const O_NONBLOCK = 0o4000;
/** O_CLOEXEC, for pipe2. */
export const O_CLOEXEC = 0o2000000;
/** POLLIN. */
export const POLLIN = 0x001;
/** POLLPRI. */
export const POLLPRI = 0x002;
/** POLLOUT. */
export const POLLOUT = 0x004;
/** POLLERR. */
export const POLLERR = 0x008;
/** POLLHUP. */
export const POLLHUP = 0x010;
/** POLLNVAL. */
export const POLLNVAL = 0x020;
/** POLLRDHUP (Linux only; a BSD port drops it). */
export const POLLRDHUP = 0x2000;
/** sizeof(struct pollfd): int fd; short events; short revents. */
export const POLLFD_SIZE = 8;
/** sizeof(struct sockaddr_in). */
export const SOCKADDR_IN_SIZE = 16;

/** errno values we branch on (asm-generic numbering). */
export const EINTR = 4;
/** EAGAIN == EWOULDBLOCK on Linux. */
export const EAGAIN = 11;
/** EINPROGRESS. */
export const EINPROGRESS = 115;
/** EEXIST, as epoll_ctl(ADD) reports a second registration. */
export const EEXIST = 17;
/** ENOENT, as epoll_ctl(MOD/DEL) reports an unknown fd. */
export const ENOENT = 2;
/** ECONNABORTED: accept4 found a queued connection already reset. */
export const ECONNABORTED = 103;
/** EBADF. */
export const EBADF = 9;
/** EINVAL. */
export const EINVAL = 22;

// glibc's soname; musl would need its own (a port concern, like the layouts above).
const lib = koffi.load("libc.so.6");

// Pointers are declared `void *` so a Buffer/Uint8Array is passed by address, not copied.
/** socket(2). */
export const socket = lib.func("int socket(int, int, int)") as (
  domain: number,
  type: number,
  protocol: number,
) => number;
/** connect(2) with a sockaddr in a Buffer. */
export const connect = lib.func("int connect(int, const void *, uint32_t)") as (
  fd: number,
  addr: Uint8Array,
  len: number,
) => number;
/** read(2). */
export const read = lib.func("intptr_t read(int, void *, size_t)") as (
  fd: number,
  buf: Uint8Array,
  len: number,
) => number;
/** write(2). */
export const write = lib.func("intptr_t write(int, const void *, size_t)") as (
  fd: number,
  buf: Uint8Array,
  len: number,
) => number;
/** send(2): write(2) plus flags (MSG_NOSIGNAL). */
export const send = lib.func("intptr_t send(int, const void *, size_t, int)") as (
  fd: number,
  buf: Uint8Array,
  len: number,
  flags: number,
) => number;
/** bind(2) with a sockaddr in a Buffer. */
export const bind = lib.func("int bind(int, const void *, uint32_t)") as (
  fd: number,
  addr: Uint8Array,
  len: number,
) => number;
/** listen(2). */
export const listen = lib.func("int listen(int, int)") as (fd: number, backlog: number) => number;
/** accept4(2): the peer's sockaddr into a Buffer, its length in and out through a u32. */
export const accept4 = lib.func("int accept4(int, void *, _Inout_ uint32_t *, int)") as (
  fd: number,
  addr: Uint8Array,
  len: Uint32Array,
  flags: number,
) => number;
/** getsockname(2): the bound address into a Buffer. */
export const getsockname = lib.func("int getsockname(int, void *, _Inout_ uint32_t *)") as (
  fd: number,
  addr: Uint8Array,
  len: Uint32Array,
) => number;
/** setsockopt(2) for int-valued options. */
export const setsockopt = lib.func("int setsockopt(int, int, int, const void *, uint32_t)") as (
  fd: number,
  level: number,
  name: number,
  value: Int32Array,
  len: number,
) => number;
/** close(2). */
export const close = lib.func("int close(int)") as (fd: number) => number;
/** getsockopt(2) for int-valued options. */
export const getsockopt = lib.func(
  "int getsockopt(int, int, int, _Out_ int *, _Inout_ uint32_t *)",
) as (fd: number, level: number, name: number, value: Int32Array, len: Uint32Array) => number;
/** epoll_create1(2). */
export const epoll_create1 = lib.func("int epoll_create1(int)") as (flags: number) => number;
/** epoll_ctl(2) with the epoll_event in a Buffer. */
export const epoll_ctl = lib.func("int epoll_ctl(int, int, int, void *)") as (
  epfd: number,
  op: number,
  fd: number,
  event: Uint8Array,
) => number;
/** epoll_wait(2) into a Buffer of epoll_events. */
export const epoll_wait = lib.func("int epoll_wait(int, void *, int, int)") as (
  epfd: number,
  events: Uint8Array,
  maxevents: number,
  timeout: number,
) => number;
/** poll(2) over a Buffer of pollfds. */
export const poll = lib.func("int poll(void *, unsigned long, int)") as (
  fds: Uint8Array,
  nfds: number,
  timeout: number,
) => number;
/** eventfd(2). */
export const eventfd = lib.func("int eventfd(unsigned int, int)") as (
  initval: number,
  flags: number,
) => number;
/** pipe2(2). */
export const pipe2 = lib.func("int pipe2(_Out_ int *, int)") as (
  fds: Int32Array,
  flags: number,
) => number;
const strerrorC = lib.func("const char *strerror(int)") as (errnum: number) => string;

/** errno as left by the last libc call on this thread; read it right after the call. */
export const errno: () => number = () => koffi.errno();

const errnoNames = new Map<number, string>();
for (const [name, value] of Object.entries(koffi.os.errno)) {
  // EAGAIN/EWOULDBLOCK and friends share a number: keep the first, more familiar, name.
  if (!errnoNames.has(value)) errnoNames.set(value, name);
}

/** The symbolic name of an errno value, e.g. 111 → "ECONNREFUSED". */
export function errnoName(code: number): string {
  return errnoNames.get(code) ?? `E${code}`;
}

/** strerror(3), lower-cased the way Node phrases system errors. */
export function strerror(code: number): string {
  const text = strerrorC(code);
  return text.length > 0 ? text.charAt(0).toLowerCase() + text.slice(1) : `errno ${code}`;
}

/** The read and write ends of a wake fd (the same fd for an eventfd). */
export interface WakeFd {
  readonly readFd: number;
  readonly writeFd: number;
}

/** Opens a nonblocking fd pair used only to interrupt a blocked poll: eventfd on Linux. */
export function openWakeFd(): WakeFd | number {
  if (process.platform === "linux") {
    const fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return fd < 0 ? errno() : { readFd: fd, writeFd: fd };
  }
  // Elsewhere a pipe does the same job; kept so a BSD/macOS port only adds layouts.
  const fds = new Int32Array(2);
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) return errno();
  return { readFd: fds[0] ?? -1, writeFd: fds[1] ?? -1 };
}

// An eventfd wants exactly 8 bytes (a u64 counter); a pipe takes them just as well.
const ONE = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
const drainBuf = Buffer.alloc(64);

/** Pokes a wake fd; a full counter/pipe already guarantees a wake-up, so EAGAIN is fine. */
export function pokeWakeFd(wake: WakeFd): void {
  write(wake.writeFd, ONE, 8);
}

/** Empties a wake fd so the next poke makes it readable again. */
export function drainWakeFd(wake: WakeFd): void {
  while (read(wake.readFd, drainBuf, drainBuf.length) > 0) {
    if (wake.readFd === wake.writeFd) return; // an eventfd is drained by one read
  }
}

/** Closes both ends of a wake fd. */
export function closeWakeFd(wake: WakeFd): void {
  close(wake.readFd);
  if (wake.writeFd !== wake.readFd) close(wake.writeFd);
}
