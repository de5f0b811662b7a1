import { AddrParseError, type ParsedAddress, parseSocketAddr } from "@ch08/mio";
import { InvalidAddressError, InvalidPathError } from "./errors.js";

/** Where the delayserver is when `DELAYSERVER` is not set. */
export const DEFAULT_ADDRESS = "127.0.0.1:8080";

/**
 * The delayserver's `host:port`, from the `DELAYSERVER` environment variable, checked
 * and normalised (throws `InvalidAddressError` for anything else).
 */
export function delayserverAddress(): string {
  const fromEnv = process.env.DELAYSERVER;
  if (fromEnv === undefined || fromEnv === "") return DEFAULT_ADDRESS;
  return normalizeAddress(fromEnv, "DELAYSERVER");
}

/**
 * Checks that `address` is `host:port` with an IPv4 or `localhost` host (mio has no
 * resolver) and a decimal port 1–65535 — mio's own parser decides — and returns it
 * rebuilt from those parts, so nothing else in the string (a CR/LF, a `0x` port) can
 * reach the Host header. `source` names where the address came from, for the message.
 */
export function normalizeAddress(address: string, source = "the address option"): string {
  // A client sends every request to one server: checking that one address again is waste.
  if (lastChecked !== undefined && address === lastChecked.address) return lastChecked.normalized;
  let parsed: ParsedAddress;
  try {
    parsed = parseSocketAddr(address);
  } catch (error) {
    if (error instanceof AddrParseError) {
      throw new InvalidAddressError(address, source, error.reason);
    }
    throw error;
  }
  const normalized = `${parsed.host}:${parsed.port}`;
  lastChecked = { address, normalized };
  return normalized;
}

/** The last address `normalizeAddress` accepted, and what it made of it. */
let lastChecked: { readonly address: string; readonly normalized: string } | undefined;

function describeChar(c: number): string {
  if (c === 0x0d) return "CR";
  if (c === 0x0a) return "LF";
  if (c === 0x20) return "a space";
  return `U+${c.toString(16).padStart(4, "0")}`;
}

/**
 * Rejects a path that would not make exactly one valid request line: anything but
 * visible ASCII (a CR or LF would let the caller inject headers), or no leading `/`.
 */
export function validatePath(path: string): void {
  if (!path.startsWith("/")) {
    throw new InvalidPathError(path, "it must start with '/', e.g. /600/HelloAsyncAwait");
  }
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) {
      const what = describeChar(c);
      throw new InvalidPathError(
        path,
        `it contains ${what} at ${i}; percent-encode it (encodeURIComponent)`,
      );
    }
  }
}

/**
 * The bytes of `GET {path}` with `Connection: close`, as the book's `get_req` writes them;
 * the Host header is the checked, normalised `address`.
 */
export function encodeRequest(path: string, address: string): Buffer {
  // Many requests for one path (the benchmarks' thousands) share one read-only buffer.
  if (lastRequest !== undefined && path === lastRequest.path && address === lastRequest.address) {
    return lastRequest.bytes;
  }
  validatePath(path);
  const host = normalizeAddress(address);
  const bytes = Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    "latin1",
  );
  lastRequest = { path, address, bytes };
  return bytes;
}

/** The last request `encodeRequest` made. */
let lastRequest:
  | { readonly path: string; readonly address: string; readonly bytes: Buffer }
  | undefined;
