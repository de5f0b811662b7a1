/**
 * The one place that knows the OS: koffi bindings to libc, and the constants and struct
 * layouts of each supported platform. Everything above `sys/` speaks in fds, numbers and
 * Buffers; nothing above it may import koffi.
 */
import { loadKoffi } from "./koffi.js";
import { checkPlatform, type PlatformLayout } from "./platform.js";

// Loaded synchronously, once per thread: see `sys/koffi.ts` for why not `import "koffi"`.
const koffi = loadKoffi();

// The byte order, read off a typed array: node:os would be one more module to load.
const byteOrder = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? "LE" : "BE";
const check = checkPlatform(process.platform, process.arch, byteOrder);
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
/** SO_REUSEPORT: several sockets bind one port, each with an accept queue of its own; the kernel spreads connections over them. */
export const SO_REUSEPORT = 15;
/** SHUT_RD, SHUT_WR, SHUT_RDWR: which way shutdown(2) closes (the `Shutdown` values). */
export const SHUT_RD = 0;
/** SHUT_WR. */
export const SHUT_WR = 1;
/** SHUT_RDWR. */
export const SHUT_RDWR = 2;
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
let libc: ReturnType<typeof koffi.load> | undefined;

// Start-up is what a reader of the book's examples pays most, so nothing is bound at
// import: each function below is a stub that, on its first call, binds the real libc
// function, puts it in its own place (ES module exports are live bindings, so every
// importer sees the swap) and forwards the call. Later calls go straight to koffi.
function bindLibc<F>(signature: string): F {
  libc ??= koffi.load("libc.so.6");
  return libc.func(signature) as F;
}

// Pointers are declared `void *` so a Buffer/Uint8Array is passed by address, not copied.
/** socket(2). */
export let socket = (domain: number, type: number, protocol: number): number => {
  socket = bindLibc("int socket(int, int, int)");
  return socket(domain, type, protocol);
};

/** connect(2) with a sockaddr in a Buffer. */
export let connect = (fd: number, addr: Uint8Array, len: number): number => {
  connect = bindLibc("int connect(int, const void *, uint32_t)");
  return connect(fd, addr, len);
};

/** read(2). */
export let read = (fd: number, buf: Uint8Array, len: number): number => {
  read = bindLibc("intptr_t read(int, void *, size_t)");
  return read(fd, buf, len);
};

/** write(2). */
export let write = (fd: number, buf: Uint8Array, len: number): number => {
  write = bindLibc("intptr_t write(int, const void *, size_t)");
  return write(fd, buf, len);
};

/** send(2): write(2) plus flags (MSG_NOSIGNAL). */
export let send = (fd: number, buf: Uint8Array, len: number, flags: number): number => {
  send = bindLibc("intptr_t send(int, const void *, size_t, int)");
  return send(fd, buf, len, flags);
};

/** bind(2) with a sockaddr in a Buffer. */
export let bind = (fd: number, addr: Uint8Array, len: number): number => {
  bind = bindLibc("int bind(int, const void *, uint32_t)");
  return bind(fd, addr, len);
};

/** listen(2). */
export let listen = (fd: number, backlog: number): number => {
  listen = bindLibc("int listen(int, int)");
  return listen(fd, backlog);
};

/** accept4(2): the peer's sockaddr into a Buffer, its length in and out through a u32. */
export let accept4 = (fd: number, addr: Uint8Array, len: Uint32Array, flags: number): number => {
  accept4 = bindLibc("int accept4(int, void *, _Inout_ uint32_t *, int)");
  return accept4(fd, addr, len, flags);
};

/** getsockname(2): the bound address into a Buffer. */
export let getsockname = (fd: number, addr: Uint8Array, len: Uint32Array): number => {
  getsockname = bindLibc("int getsockname(int, void *, _Inout_ uint32_t *)");
  return getsockname(fd, addr, len);
};

/** setsockopt(2) for int-valued options. */
export let setsockopt = (
  fd: number,
  level: number,
  name: number,
  value: Int32Array,
  len: number,
): number => {
  setsockopt = bindLibc("int setsockopt(int, int, int, const void *, uint32_t)");
  return setsockopt(fd, level, name, value, len);
};

/** shutdown(2). */
export let shutdown = (fd: number, how: number): number => {
  shutdown = bindLibc("int shutdown(int, int)");
  return shutdown(fd, how);
};

/** close(2). */
export let close = (fd: number): number => {
  close = bindLibc("int close(int)");
  return close(fd);
};

/** getsockopt(2) for int-valued options. */
export let getsockopt = (
  fd: number,
  level: number,
  name: number,
  value: Int32Array,
  len: Uint32Array,
): number => {
  getsockopt = bindLibc("int getsockopt(int, int, int, _Out_ int *, _Inout_ uint32_t *)");
  return getsockopt(fd, level, name, value, len);
};

/** epoll_create1(2). */
export let epoll_create1 = (flags: number): number => {
  epoll_create1 = bindLibc("int epoll_create1(int)");
  return epoll_create1(flags);
};

/** epoll_ctl(2) with the epoll_event in a Buffer. */
export let epoll_ctl = (epfd: number, op: number, fd: number, event: Uint8Array): number => {
  epoll_ctl = bindLibc("int epoll_ctl(int, int, int, void *)");
  return epoll_ctl(epfd, op, fd, event);
};

/** epoll_wait(2) into a Buffer of epoll_events. */
export let epoll_wait = (
  epfd: number,
  events: Uint8Array,
  maxevents: number,
  timeout: number,
): number => {
  epoll_wait = bindLibc("int epoll_wait(int, void *, int, int)");
  return epoll_wait(epfd, events, maxevents, timeout);
};

/** poll(2) over a Buffer of pollfds. */
export let poll = (fds: Uint8Array, nfds: number, timeout: number): number => {
  poll = bindLibc("int poll(void *, unsigned long, int)");
  return poll(fds, nfds, timeout);
};

/** eventfd(2). */
export let eventfd = (initval: number, flags: number): number => {
  eventfd = bindLibc("int eventfd(unsigned int, int)");
  return eventfd(initval, flags);
};

/** pipe2(2). */
export let pipe2 = (fds: Int32Array, flags: number): number => {
  pipe2 = bindLibc("int pipe2(_Out_ int *, int)");
  return pipe2(fds, flags);
};

let strerrorC = (errnum: number): string => {
  strerrorC = bindLibc("const char *strerror(int)");
  return strerrorC(errnum);
};

/** errno as left by the last libc call on this thread; read it right after the call. */
export const errno: () => number = () => koffi.errno();

// Built on the first error rather than at import: only a failing program needs names.
let errnoNames: Map<number, string> | undefined;

/** The symbolic name of an errno value, e.g. 111 → "ECONNREFUSED". */
export function errnoName(code: number): string {
  if (errnoNames === undefined) {
    errnoNames = new Map();
    for (const [name, value] of Object.entries(koffi.os.errno)) {
      // EAGAIN/EWOULDBLOCK and friends share a number: keep the first, more familiar, name.
      if (!errnoNames.has(value)) errnoNames.set(value, name);
    }
  }
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
