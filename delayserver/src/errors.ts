/** The server could not bind its port; `code` is the OS reason, e.g. `EADDRINUSE`. */
export class ListenError extends Error {
  /** The OS error code (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`, …), if there was one. */
  readonly code: string | undefined;
  /** The host that was asked for. */
  readonly host: string;
  /** The port that was asked for. */
  readonly port: number;
  /** The OS's own words, e.g. `listen EADDRINUSE: address already in use 127.0.0.1:8080`. */
  readonly reason: string;

  /**
   * @param message the whole message, for a caller that knows the cause better than a
   *   port (stage d's server: a bad host, a thread that failed); by default it says what
   *   failed and to pick another port.
   */
  constructor(
    host: string,
    port: number,
    code: string | undefined,
    reason: string,
    message?: string,
  ) {
    const what =
      code === "EADDRINUSE"
        ? `port ${port} on ${host} is already in use`
        : `cannot listen on ${host}:${port} (${reason})`;
    super(message ?? `${what}; pick another port (0 picks any free one)`);
    this.name = "ListenError";
    this.code = code;
    this.host = host;
    this.port = port;
    this.reason = reason;
  }
}

/** The `code` of a Node system error, if it has one. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err && typeof err.code === "string") {
    return err.code;
  }
  return undefined;
}
