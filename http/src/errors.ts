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

/** Nothing accepted the connection: the delayserver is not running at that address. */
export class UnreachableError extends HttpError {
  /** The `host:port` that was tried. */
  readonly address: string;

  constructor(address: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      "UNREACHABLE",
      `the delayserver is not reachable at ${address} (${reason}). ` +
        "Start it with `pnpm delayserver` in another terminal, " +
        "or point DELAYSERVER=host:port at a running one.",
      { cause },
    );
    this.address = address;
  }
}

/** The server's answer is not a well-formed HTTP/1.x response, is cut short, or is too large. */
export class ResponseError extends HttpError {
  constructor(code: "MALFORMED" | "TRUNCATED" | "TOO_LARGE", message: string) {
    super(code, message);
  }
}
