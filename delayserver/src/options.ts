/** How to run a delayserver; every field has a default. */
export interface DelayServerOptions {
  /** Address to listen on; default 127.0.0.1 (loopback only). */
  host?: string;
  /** Port to listen on; default 8080, and 0 picks a free one. */
  port?: number;
  /** Longest delay a request may ask for; default 60000. Larger asks get 400. */
  maxDelayMs?: number;
  /** When true, print no `#n - …` line per request. */
  quiet?: boolean;
  /** Where the `#n - …` lines go instead of the console. */
  log?: (line: string) => void;
  /** Where trouble the operator must fix goes (out of file descriptors); default console.error. */
  warn?: (line: string) => void;
  /** Length of the kernel's accept queue; default 4096 (the kernel caps it at somaxconn). */
  backlog?: number;
  /**
   * A socket bound elsewhere to serve on, instead of binding `host`:`port` (which must then
   * be left out): socket activation, or one of several SO_REUSEPORT sockets on one port,
   * each with an accept queue of its own.
   */
  fd?: number;
}

/** A running delayserver: where it listens, and how to stop it. */
export interface DelayServer {
  /** The host it was asked to listen on (with `fd`, the address that socket is bound to). */
  readonly host: string;
  /** The port it is bound to (the real one when 0 was asked for). */
  readonly port: number;
  /** `host:port`, ready for DELAYSERVER or a Host header. */
  readonly address: string;
  /** Stops listening, answers held requests with 503, closes every connection, frees the port. */
  close(): Promise<void>;
}
