import { InvalidPathError } from "./errors.js";

/** Where the delayserver is when `DELAYSERVER` is not set. */
export const DEFAULT_ADDRESS = "127.0.0.1:8080";

/** The delayserver's `host:port`, from the `DELAYSERVER` environment variable. */
export function delayserverAddress(): string {
  const fromEnv = process.env.DELAYSERVER;
  return fromEnv === undefined || fromEnv === "" ? DEFAULT_ADDRESS : fromEnv;
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
      const what =
        c === 0x0d
          ? "CR"
          : c === 0x0a
            ? "LF"
            : c === 0x20
              ? "a space"
              : `U+${c.toString(16).padStart(4, "0")}`;
      throw new InvalidPathError(
        path,
        `it contains ${what} at ${i}; percent-encode it (encodeURIComponent)`,
      );
    }
  }
}

/** The bytes of `GET {path}` with `Connection: close`, as the book's `get_req` writes them. */
export function encodeRequest(path: string, address: string): Buffer {
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: ${address}\r\nConnection: close\r\n\r\n`,
    "latin1",
  );
}
