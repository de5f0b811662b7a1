/**
 * IPv4 socket addresses: parsing what a user writes, and the `struct sockaddr_in` bytes
 * that connect/bind/accept4/getsockname exchange with the kernel.
 */
import { AF_INET, SOCKADDR_IN_SIZE } from "../sys/libc.js";

/** Where to connect or bind: "host:port", or the parts. */
export type SocketAddress = string | { readonly host: string; readonly port: number };

/** An address the kernel reported (a peer, or where a listener is bound). */
export interface SocketAddr {
  /** Dotted IPv4, e.g. "127.0.0.1". */
  readonly host: string;
  /** The port, 1-65535 (0 only before a bind chose one). */
  readonly port: number;
}

/** An address taken apart: its host ("localhost", or dotted IPv4 as written but normalised), port and octets. */
export interface ParsedAddress {
  readonly host: string;
  readonly port: number;
  readonly ip: readonly [number, number, number, number];
}

/** An address that is not "host:port" with an IPv4 or localhost host (Rust: `AddrParseError`). */
export class AddrParseError extends TypeError {
  /** What is wrong with it, e.g. `the port "0x4AFF" is not a decimal number`. */
  readonly reason: string;

  constructor(
    /** The address as given. */
    readonly address: SocketAddress,
    reason: string,
  ) {
    super(
      `bad address ${JSON.stringify(address)}: ${reason}; expected "host:port", e.g. 127.0.0.1:8080`,
    );
    this.name = "AddrParseError";
    this.reason = reason;
  }
}

/**
 * Parses "a.b.c.d:port", "localhost:port" or `{ host, port }` (Rust: `"…".parse::<SocketAddr>()`),
 * or throws `AddrParseError` saying what is wrong. Nothing but visible ASCII is accepted, so
 * a checked address is safe to put in a header. No resolver here on purpose (a DNS lookup
 * would block or need a thread pool).
 */
export function parseSocketAddr(address: SocketAddress): ParsedAddress {
  return parseAddress(address);
}

/**
 * @internal `parseSocketAddr`, with port 0 ("any free port") allowed: it is only
 * meaningful for bind.
 */
export function parseAddress(address: SocketAddress, allowPortZero = false): ParsedAddress {
  const bad = (reason: string): AddrParseError => new AddrParseError(address, reason);
  let host: string;
  let port: number;
  if (typeof address === "string") {
    for (let i = 0; i < address.length; i++) {
      const c = address.charCodeAt(i);
      if (c <= 0x20 || c >= 0x7f) throw bad(`it contains ${describeChar(c)} at ${i}`);
    }
    const colon = address.lastIndexOf(":");
    if (colon < 0) throw bad("there is no port");
    host = address.slice(0, colon);
    const digits = address.slice(colon + 1);
    if (!/^[0-9]{1,5}$/.test(digits)) {
      throw bad(`the port ${JSON.stringify(digits)} is not a decimal number`);
    }
    port = Number(digits);
  } else {
    host = address.host;
    port = address.port;
  }
  const lowest = allowPortZero ? 0 : 1;
  if (!Number.isInteger(port) || port < lowest || port > 65535) {
    throw bad(`the port ${port} is not between ${lowest} and 65535`);
  }
  const dotted = host === "localhost" ? "127.0.0.1" : host;
  const ip = dotted.split(".").map((p) => (/^[0-9]{1,3}$/.test(p) ? Number(p) : 256));
  const [a, b, c, d] = ip;
  if (
    ip.length !== 4 ||
    a === undefined ||
    b === undefined ||
    c === undefined ||
    d === undefined ||
    ip.some((n) => n > 255)
  ) {
    throw bad(
      `the host ${JSON.stringify(host)} is not an IPv4 address or localhost (there is no DNS resolver here)`,
    );
  }
  return { host: host === "localhost" ? host : ip.join("."), port, ip: [a, b, c, d] };
}

/** How a character that has no place in an address is named in a message. */
function describeChar(c: number): string {
  if (c === 0x0d) return "CR";
  if (c === 0x0a) return "LF";
  if (c === 0x20) return "a space";
  return `U+${c.toString(16).padStart(4, "0")}`;
}

/** @internal Writes `address` as a `struct sockaddr_in` into a fresh Buffer. */
export function encodeSockaddr(address: ParsedAddress): Buffer {
  const sa = Buffer.alloc(SOCKADDR_IN_SIZE);
  sa.writeUInt16LE(AF_INET, 0); // sa_family is host order (little-endian here)
  sa.writeUInt16BE(address.port, 2); // sin_port is network order
  sa[4] = address.ip[0];
  sa[5] = address.ip[1];
  sa[6] = address.ip[2];
  sa[7] = address.ip[3];
  return sa;
}

/** @internal Reads a `struct sockaddr_in` the kernel filled in. */
export function decodeSockaddr(sa: Uint8Array): SocketAddr {
  const port = ((sa[2] ?? 0) << 8) | (sa[3] ?? 0);
  return { host: `${sa[4] ?? 0}.${sa[5] ?? 0}.${sa[6] ?? 0}.${sa[7] ?? 0}`, port };
}
