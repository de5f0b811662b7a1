/** Base class of every error the leaf future raises; `code` says which kind. */
export class HttpError extends Error {
  /** A stable machine-readable kind, e.g. `"UNREACHABLE"`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The path cannot be sent as a request line (CR, LF, space, no leading `/`…). */
export class InvalidPathError extends HttpError {
  constructor(path: string, why: string) {
    super("INVALID_PATH", `invalid request path ${JSON.stringify(path)}: ${why}`);
  }
}

/** The server address (`DELAYSERVER` or the `address` option) is not a usable `host:port`. */
export class InvalidAddressError extends HttpError {
  /** The address as given, unchanged. */
  readonly address: string;

  constructor(address: string, source: string, why: string) {
    super(
      "INVALID_ADDRESS",
      `invalid delayserver address ${JSON.stringify(address)} (from ${source}): ${why}; ` +
        "expected host:port, e.g. 127.0.0.1:8080",
    );
    this.address = address;
  }
}

/** What each errno that means "nothing accepted the connection" is called in a message. */
const UNREACHABLE_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENETUNREACH: "network unreachable",
  EHOSTUNREACH: "host unreachable",
  ETIMEDOUT: "connection timed out",
  EADDRNOTAVAIL: "address not available",
};

/** What to do when a request fails at the server: make sure a delayserver runs there. */
export function askIfDelayServer(address: string): string {
  return `is the delayserver running at ${address}? start it with \`pnpm delayserver\` (or point DELAYSERVER=host:port at a running one)`;
}

/** Nothing accepted the connection: the delayserver is not running at that address. */
export class UnreachableError extends HttpError {
  /** The `host:port` that was tried. */
  readonly address: string;

  /** @param code the errno name, e.g. `ECONNREFUSED`; `cause` keeps the system call's own error. */
  constructor(address: string, code: string, cause: unknown) {
    super("UNREACHABLE", `${UNREACHABLE_REASONS[code] ?? code}: ${askIfDelayServer(address)}`, {
      cause,
    });
    this.address = address;
  }
}

/** Whether an errno name means that nothing accepted the connection. */
export function isUnreachable(code: string): boolean {
  return Object.hasOwn(UNREACHABLE_REASONS, code);
}

/** The server's answer is not a well-formed HTTP/1.x response, is cut short, or is too large. */
export class ResponseError extends HttpError {
  declare readonly code: ResponseErrorCode;

  constructor(code: ResponseErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The kinds of `ResponseError`. */
export type ResponseErrorCode = "MALFORMED" | "TRUNCATED" | "TOO_LARGE";
