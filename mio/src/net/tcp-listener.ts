/**
 * A nonblocking TCP server socket over libc, as mio's `net::TcpListener`: bind, listen,
 * then `accept` until it returns `WOULD_BLOCK`, each accepted connection a nonblocking
 * `TcpStream`. Register it READABLE: a readable listener has connections waiting.
 */
import { IoError, syscall } from "../errors.js";
import { Interest } from "../interest.js";
import type { Source } from "../poll.js";
import { sourceClosing, sourceWouldBlock } from "../sys/io-source.js";
import {
  AF_INET,
  accept4,
  bind,
  close,
  EAGAIN,
  ECONNABORTED,
  EINTR,
  errno,
  getsockname,
  listen,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOCKADDR_IN_SIZE,
  SOL_SOCKET,
  setsockopt,
  socket,
} from "../sys/libc.js";
import {
  decodeSockaddr,
  encodeSockaddr,
  parseAddress,
  type SocketAddr,
  type SocketAddress,
} from "./socket-address.js";
import { TcpStream, WOULD_BLOCK } from "./tcp-stream.js";

/** One accepted connection: the stream, already nonblocking, and who is on the other end. */
export interface Accepted {
  /** The connection; register it like any TcpStream. */
  readonly stream: TcpStream;
  /** The peer's address. */
  readonly peer: SocketAddr;
}

/** Options for `TcpListener.bind`. */
export interface ListenOptions {
  /** How many finished handshakes the kernel queues before refusing (default 1024). */
  readonly backlog?: number;
  /**
   * SO_REUSEPORT (default false): other listeners that ask for it too may bind the same
   * port, each with an accept queue of its own, and the kernel spreads new connections
   * over them (tokio's `TcpSocket::set_reuseport`). For more threads, or processes, than
   * one accept loop serves, or a burst of connects larger than one queue (somaxconn).
   */
  readonly reusePort?: boolean;
}

/** The backlog mio and Rust's std use; the kernel caps it at net.core.somaxconn. */
const DEFAULT_BACKLOG = 1024;

const READABLE = Interest.READABLE;

// accept4/getsockname out-params, shared by every listener (calls are synchronous).
const peerBuf = Buffer.alloc(SOCKADDR_IN_SIZE);
const peerLen = new Uint32Array(1);
const reuseOn = new Int32Array([1]);

/** A listening TCP socket. Register it READABLE, then accept until WOULD_BLOCK. */
export class TcpListener implements Source {
  private fdValue: number;

  private constructor(fd: number) {
    this.fdValue = fd;
  }

  /**
   * Binds to `address` ("127.0.0.1:0" lets the kernel choose a free port; `localAddr()`
   * tells which) with SO_REUSEADDR (and SO_REUSEPORT if asked), and starts listening.
   * Throws IoError if the address is taken (EADDRINUSE) or not ours (EADDRNOTAVAIL),
   * TypeError if it is malformed.
   */
  static bind(address: SocketAddress, options: ListenOptions = {}): TcpListener {
    const backlog = options.backlog ?? DEFAULT_BACKLOG;
    if (!Number.isInteger(backlog) || backlog < 1) {
      throw new RangeError(`listen backlog must be a positive integer, got ${backlog}`);
    }
    const parsed = parseAddress(address, true);
    const name = `${parsed.host}:${parsed.port}`;
    const sa = encodeSockaddr(parsed);
    const fd = syscall(
      "socket",
      socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
      name,
    );
    try {
      syscall("setsockopt", setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, reuseOn, 4), name);
      if (options.reusePort === true) {
        syscall("setsockopt", setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, reuseOn, 4), name);
      }
      syscall("bind", bind(fd, sa, sa.length), name);
      syscall("listen", listen(fd, backlog), name);
    } catch (err) {
      close(fd); // the IoError already holds errno, so closing cannot spoil it
      throw err;
    }
    return new TcpListener(fd);
  }

  /**
   * Wraps a listening fd bound elsewhere (Rust: `FromRawFd`) — by another thread of this
   * process, which hands the fd over: a TcpListener object cannot cross threads, its fd can.
   */
  static fromFd(fd: number): TcpListener {
    return new TcpListener(fd);
  }

  /** The listening fd, or -1 once closed. */
  get fd(): number {
    return this.fdValue;
  }

  /**
   * Takes one waiting connection: the stream (nonblocking, close-on-exec) and the peer's
   * address, or WOULD_BLOCK when none is waiting (wait for a READABLE event, then
   * accept again). Throws IoError on real failures, e.g. EMFILE when out of fds.
   */
  accept(): Accepted | typeof WOULD_BLOCK {
    for (;;) {
      peerLen[0] = SOCKADDR_IN_SIZE;
      const fd = accept4(this.fdValue, peerBuf, peerLen, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        const peer = decodeSockaddr(peerBuf);
        return { stream: TcpStream.fromFd(fd, `${peer.host}:${peer.port}`), peer };
      }
      const e = errno();
      if (e === EAGAIN) {
        sourceWouldBlock(this.fdValue, READABLE);
        return WOULD_BLOCK;
      }
      // ECONNABORTED is a connection that died in the queue: it is gone, try the next.
      if (e !== EINTR && e !== ECONNABORTED) throw new IoError("accept4", e);
    }
  }

  /** Where the listener is bound (the kernel's choice of port when bound to port 0). */
  localAddr(): SocketAddr {
    const sa = Buffer.alloc(SOCKADDR_IN_SIZE);
    const len = new Uint32Array([SOCKADDR_IN_SIZE]);
    syscall("getsockname", getsockname(this.fdValue, sa, len));
    return decodeSockaddr(sa);
  }

  /** Stops listening and releases the port (which also removes it from epoll); idempotent. */
  close(): void {
    const fd = this.fdValue;
    if (fd < 0) return;
    sourceClosing(fd);
    close(fd);
    this.fdValue = -1;
  }
}
