/**
 * A nonblocking TCP client socket over libc, as mio's `net::TcpStream`: `read`/`write`
 * return a byte count, 0 for end of stream, or `WOULD_BLOCK`: no exceptions and no
 * allocation on the would-block path. Hard errors throw `IoError`.
 */
import { IoError, syscall } from "../errors.js";
import { Interest } from "../interest.js";
import type { Source } from "../poll.js";
import { sourceClosing, sourceWouldBlock } from "../sys/io-source.js";
import {
  AF_INET,
  close,
  connect,
  EAGAIN,
  EINPROGRESS,
  EINTR,
  errno,
  getsockopt,
  MSG_NOSIGNAL,
  read,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SO_ERROR,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  send,
  shutdown,
  socket,
} from "../sys/libc.js";
import { encodeSockaddr, parseAddress, type SocketAddress } from "./socket-address.js";

export type { SocketAddress } from "./socket-address.js";

/** What `read`/`write` return when the socket is not ready: wait for an event, then retry. */
export const WOULD_BLOCK = -1 as const;

/** Which halves of a connection `TcpStream.shutdown` closes (Rust: `std::net::Shutdown`). */
export const Shutdown = { READ: SHUT_RD, WRITE: SHUT_WR, BOTH: SHUT_RDWR } as const;
/** One of `Shutdown`'s values. */
export type Shutdown = (typeof Shutdown)[keyof typeof Shutdown];

const READABLE = Interest.READABLE;
const WRITABLE = Interest.WRITABLE;

// getsockopt out-params, shared by every stream (calls are synchronous, one thread).
const optValue = new Int32Array(1);
const optLen = new Uint32Array(1);

/** A nonblocking TCP connection. Register it, then read/write until WOULD_BLOCK. */
export class TcpStream implements Source {
  private fdValue: number;
  /** The peer as "host:port" (the host as given, e.g. "localhost:8080"). */
  readonly address: string;

  // koffi passes a typed array by the address of its first byte and has no pointer
  // arithmetic on Buffers, so an offset needs a view. The last view is kept because a
  // not-ready source is typically retried at the same offset until it stops blocking.
  private lastView: Uint8Array | undefined;

  private view(buffer: Uint8Array, offset: number, length: number): Uint8Array {
    const last = this.lastView;
    if (
      last !== undefined &&
      last.buffer === buffer.buffer &&
      last.byteOffset === buffer.byteOffset + offset &&
      last.length === length
    ) {
      return last;
    }
    const view = buffer.subarray(offset, offset + length);
    this.lastView = view;
    return view;
  }

  /**
   * Wraps a connected nonblocking fd (Rust: `FromRawFd`), e.g. one TcpListener.accept
   * returned, or one another thread accepted and handed over: an fd crosses threads, a
   * TcpStream object cannot. The stream owns the fd from then on.
   */
  static fromFd(fd: number, address: string): TcpStream {
    return new TcpStream(fd, address);
  }

  /** The socket fd, or -1 once closed. */
  get fd(): number {
    return this.fdValue;
  }

  private constructor(fd: number, address: string) {
    this.fdValue = fd;
    this.address = address;
  }

  /**
   * Starts connecting without waiting, as mio's `TcpStream::connect`: the socket becomes
   * writable when the connection is up or has failed. An immediate failure (loopback may
   * refuse at once) throws IoError; a later one shows as a writable/error event, then
   * `takeError()` returns it and `read`/`write` throw it.
   */
  static connect(address: SocketAddress): TcpStream {
    const { name, sa } = encodedAddress(address);
    const fd = syscall(
      "socket",
      socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
      name,
    );
    if (connect(fd, sa, sa.length) < 0) {
      const e = errno();
      if (e !== EINPROGRESS) {
        close(fd);
        throw new IoError("connect", e, name);
      }
    }
    return new TcpStream(fd, name);
  }

  /**
   * Reads into `buffer[offset, offset + length)` without copying: > 0 bytes read, 0 at
   * end of stream, WOULD_BLOCK when nothing is there yet. Throws IoError on hard errors.
   */
  read(buffer: Uint8Array, offset = 0, length = buffer.length - offset): number {
    checkRange(buffer, offset, length);
    const target = offset === 0 ? buffer : this.view(buffer, offset, length);
    for (;;) {
      const n = read(this.fd, target, length);
      if (n >= 0) return n;
      const e = errno();
      if (e === EAGAIN) {
        sourceWouldBlock(this.fd, READABLE);
        return WOULD_BLOCK;
      }
      if (e !== EINTR) throw new IoError("read", e, this.address);
    }
  }

  /**
   * Writes from `data[offset, offset + length)` without copying: bytes written (maybe
   * fewer than asked: write the rest from `offset + n`) or WOULD_BLOCK (nothing was
   * written: wait for a WRITABLE event, then retry). Throws IoError on hard errors
   * (EPIPE, ECONNRESET…).
   */
  write(data: Uint8Array, offset = 0, length = data.length - offset): number {
    checkRange(data, offset, length);
    const source = offset === 0 ? data : this.view(data, offset, length);
    for (;;) {
      // send + MSG_NOSIGNAL: a closed peer yields EPIPE rather than killing us by SIGPIPE.
      const n = send(this.fd, source, length, MSG_NOSIGNAL);
      if (n >= 0) return n;
      const e = errno();
      if (e === EAGAIN) {
        sourceWouldBlock(this.fd, WRITABLE);
        return WOULD_BLOCK;
      }
      if (e !== EINTR) throw new IoError("write", e, this.address);
    }
  }

  /** Takes the socket's pending error (SO_ERROR), e.g. a refused connect; null if none. */
  takeError(): IoError | null {
    optValue[0] = 0;
    optLen[0] = 4;
    if (getsockopt(this.fd, SOL_SOCKET, SO_ERROR, optValue, optLen) < 0) {
      return new IoError("getsockopt", errno(), this.address);
    }
    const e = optValue[0] ?? 0;
    return e === 0 ? null : new IoError("connect", e, this.address);
  }

  /**
   * Closes one or both halves of the connection and keeps the fd (Rust: `shutdown`).
   * `Shutdown.WRITE` sends FIN after the bytes already written: the peer reads them, then
   * end of stream, while this side can still read what the peer goes on sending. A
   * server uses it to close politely: a socket closed with unread input resets the
   * connection, and the peer may lose the answer it was sent just before.
   */
  shutdown(how: Shutdown): void {
    syscall("shutdown", shutdown(this.fd, how), this.address);
  }

  /** Closes the socket (which also removes it from epoll); idempotent. */
  close(): void {
    this.lastView = undefined;
    const fd = this.fdValue;
    if (fd < 0) return;
    sourceClosing(fd);
    close(fd);
    this.fdValue = -1;
  }

  /** Closes it at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function checkRange(buffer: Uint8Array, offset: number, length: number): void {
  if (offset < 0 || length < 0 || offset + length > buffer.length) {
    throw new RangeError(
      `offset ${offset} + length ${length} outside a buffer of ${buffer.length} bytes`,
    );
  }
}

/**
 * The last address connected to, as given (text, or host and port copied from the
 * object), with its parsed name and encoded `sockaddr_in`: a client connects to one
 * server again and again, and parsing and encoding it each time cost about 1 KB of
 * garbage a connect.
 */
let lastConnected:
  | { readonly given: SocketAddress; readonly name: string; readonly sa: Buffer }
  | undefined;

/** Whether `address` is the one `given` was: the same text, or the same host and port. */
function sameAddress(given: SocketAddress, address: SocketAddress): boolean {
  if (typeof address === "string" || typeof given === "string") return given === address;
  return given.host === address.host && given.port === address.port;
}

/** `address` parsed into its `host:port` name and its `sockaddr_in` (read-only: connect only reads it). */
function encodedAddress(address: SocketAddress): { readonly name: string; readonly sa: Buffer } {
  if (lastConnected !== undefined && sameAddress(lastConnected.given, address)) {
    return lastConnected;
  }
  const parsed = parseAddress(address);
  const encoded = { name: `${parsed.host}:${parsed.port}`, sa: encodeSockaddr(parsed) };
  // An object is copied: the caller may change it before the next connect.
  const given = typeof address === "string" ? address : { host: address.host, port: address.port };
  lastConnected = { given, ...encoded };
  return encoded;
}
