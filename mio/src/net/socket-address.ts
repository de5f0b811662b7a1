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

/** @internal A parsed address: what the user wrote plus the four octets. */
export interface ParsedAddress {
  readonly host: string;
  readonly port: number;
  readonly ip: readonly [number, number, number, number];
}

/**
 * @internal Parses "a.b.c.d:port" / "localhost:port" / {host, port}; throws TypeError
 * otherwise. Port 0 ("any free port") is only meaningful for bind, hence `allowPortZero`.
 */
export function parseAddress(address: SocketAddress, allowPortZero = false): ParsedAddress {
  let host: string;
  let port: number;
  if (typeof address === "string") {
    const colon = address.lastIndexOf(":");
    host = colon < 0 ? "" : address.slice(0, colon);
    const digits = colon < 0 ? "" : address.slice(colon + 1);
    port = /^\d{1,5}$/.test(digits) ? Number(digits) : Number.NaN;
  } else {
    host = address.host;
    port = address.port;
  }
  const lowest = allowPortZero ? 0 : 1;
  if (!Number.isInteger(port) || port < lowest || port > 65535) {
    throw new TypeError(
      `bad address ${JSON.stringify(address)}: expected "host:port", port ${lowest}-65535`,
    );
  }
  // No resolver here on purpose (a DNS lookup would block or need a thread pool).
  const dotted = host === "localhost" ? "127.0.0.1" : host;
  const parts = dotted.split(".");
  const ip = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : 256));
  const [a, b, c, d] = ip;
  if (
    ip.length !== 4 ||
    a === undefined ||
    b === undefined ||
    c === undefined ||
    d === undefined ||
    ip.some((n) => n > 255)
  ) {
    throw new TypeError(
      `bad address ${JSON.stringify(address)}: host must be an IPv4 address or "localhost"`,
    );
  }
  return { host, port, ip: [a, b, c, d] };
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
