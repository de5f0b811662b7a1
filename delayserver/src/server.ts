import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import { formatAddress } from "./address.js";
import { DEFAULT_HOST, DEFAULT_MAX_DELAY_MS, DEFAULT_PORT, MAX_TIMER_MS } from "./defaults.js";
import { errorCode, ListenError } from "./errors.js";
import { acceptErrorText, openFileLimit, outOfDescriptorsText, socketFd } from "./fd-limit.js";
import type { DelayServer, DelayServerOptions } from "./options.js";
import { connectAnswer, rawAnswer } from "./raw-answers.js";
import { ALLOWED_METHODS, REASON_PHRASES, type Route, route } from "./routes.js";
import { printable, usageLine } from "./usage.js";

/** A request waiting for its delay to pass. */
interface Held {
  timer: NodeJS.Timeout | undefined;
  readonly res: ServerResponse;
  /** Its `#n - Xms: message` line, to say which request a cancellation was (none when quiet). */
  readonly line: string | undefined;
  readonly receivedAt: number;
}

// How long close() lets the 503s to held requests drain before cutting every connection.
const CLOSE_GRACE_MS = 500;

// Out of descriptors, a busy server would hit the limit on every accept: say so this often.
const OUT_OF_FDS_REPORT_EVERY_MS = 10_000;

/**
 * Starts the book's delayserver on node:http: `GET /{delay_ms}/{message}` waits, then
 * answers 200 with the decoded message. Resolves once the port is bound; rejects with a
 * ListenError when it cannot be.
 */
export async function startDelayServer(options: DelayServerOptions = {}): Promise<DelayServer> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const { fd } = options;
  if (fd !== undefined) {
    if (!Number.isInteger(fd) || fd < 0) {
      throw new RangeError(`fd must be a non-negative integer (an open socket), got ${fd}`);
    }
    if (options.host !== undefined || options.port !== undefined) {
      throw new TypeError(
        "give either fd (a socket already bound) or host and port (to bind one), not both",
      );
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`port must be an integer from 0 to 65535, got ${port}`);
  }
  if (!Number.isInteger(maxDelayMs) || maxDelayMs < 0 || maxDelayMs > MAX_TIMER_MS) {
    throw new RangeError(
      `maxDelayMs must be an integer from 0 to ${MAX_TIMER_MS}, got ${maxDelayMs}`,
    );
  }
  const log = options.quiet === true ? undefined : (options.log ?? console.log);
  const warn = options.warn ?? console.error;
  const usage = usageLine(maxDelayMs);
  const held = new Set<Held>();
  // The held requests of each connection, so that a client's FIN or reset cancels them.
  const heldOn = new WeakMap<Socket, Set<Held>>();
  let count = 0;
  let closing: Promise<void> | undefined;

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const head = req.method === "HEAD";
    if (closing !== undefined) {
      // A keep-alive connection may still send a request while we stop: refuse it plainly.
      answerStopping(res, head);
      return;
    }
    const r = route(req.method ?? "", req.url ?? "", maxDelayMs);
    if (r.kind === "reject") {
      answerReject(res, r, head, usage);
      return;
    }
    count += 1;
    // The line is built only by a server that prints it: `--quiet` answers without it.
    let line: string | undefined;
    if (log !== undefined) {
      line = `#${count} - ${r.delayMs}ms: ${printable(r.message)}`;
      log(line);
    }
    // node:http joins a string body to the head in one chunk; a Buffer would be a second one.
    const body = r.message;
    if (r.delayMs === 0) {
      // setTimeout(0) would still wait a millisecond; nothing is owed, so answer now.
      answerOk(res, body, head);
      return;
    }
    const receivedAt = performance.now();
    const entry: Held = { timer: undefined, res, line, receivedAt };
    const socket = req.socket;
    const fire = (): void => {
      // libuv times from the loop's cached clock, which can lag the real one when the loop
      // is busy; re-arm for what is left so no answer is ever earlier than asked.
      const left = r.delayMs - (performance.now() - receivedAt);
      if (left > 0) {
        entry.timer = setTimeout(fire, Math.ceil(left));
        return;
      }
      held.delete(entry);
      heldOn.get(socket)?.delete(entry);
      answerOk(res, body, head);
    };
    entry.timer = setTimeout(fire, r.delayMs);
    held.add(entry);
    holdOn(socket, entry);
  };

  /** Ties a held request to its connection, watching that connection once for the client leaving. */
  const holdOn = (socket: Socket, entry: Held): void => {
    let entries = heldOn.get(socket);
    if (entries === undefined) {
      const watched = new Set<Held>();
      entries = watched;
      heldOn.set(socket, watched);
      const gone = (): void => cancelHeld(socket, watched);
      // A FIN ('end'): with requests still held, the client has gone, not merely half-closed.
      socket.once("end", gone);
      // A reset or any other death of the connection.
      socket.once("close", gone);
    }
    entries.add(entry);
  };

  /**
   * The client left while requests were held for it: drop their timers and close the socket
   * now, instead of holding a CLOSE_WAIT descriptor for the rest of the delay.
   */
  const cancelHeld = (socket: Socket, entries: Set<Held>): void => {
    let cancelled = 0;
    for (const entry of entries) {
      // Not held any more: answered, or answered 503 by close().
      if (!held.delete(entry)) continue;
      clearTimeout(entry.timer);
      cancelled += 1;
      const after = Math.round(performance.now() - entry.receivedAt);
      log?.(`${entry.line} (cancelled after ${after}ms: the client closed the connection)`);
    }
    entries.clear();
    if (cancelled > 0) socket.destroy();
  };

  const server = createServer(
    {
      // A held request is complete on arrival, but keep the whole-request timer above the
      // longest delay anyway so no Node version can cut a legitimate wait short.
      requestTimeout: Math.max(300_000, maxDelayMs + 60_000),
      headersTimeout: 60_000,
      keepAliveTimeout: 5_000,
      noDelay: true,
    },
    onRequest,
  );
  // No cap on connections: holding thousands of them at once is the point.
  server.maxConnections = Number.POSITIVE_INFINITY;
  // A client that half-closes after its request (shutdown(SHUT_WR), `nc -N`) still gets
  // its answer; by default node:http would end the socket at the client's FIN.
  Object.assign(server, { httpAllowHalfOpen: true });
  server.on("clientError", onClientError);
  // node:http hands CONNECT to this event and, with no listener, closes the socket without a
  // word: answer it as any other method we do not serve.
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => socket.destroy());
    socket.end(connectAnswer(req.url ?? "", maxDelayMs, usage), () => socket.destroy());
  });

  const fdLimit = openFileLimit();
  let lastOutOfFdsReport = Number.NEGATIVE_INFINITY;
  let unreportedOutOfFds = 0;
  if (fdLimit !== undefined) {
    server.on("connection", (socket: Socket) => {
      const fd = socketFd(socket);
      if (fd === undefined || fd < fdLimit - 1) return;
      // This socket took the last descriptor: libuv will drop the next clients unseen.
      const now = performance.now();
      if (now - lastOutOfFdsReport < OUT_OF_FDS_REPORT_EVERY_MS) {
        unreportedOutOfFds += 1;
        return;
      }
      const since = unreportedOutOfFds;
      lastOutOfFdsReport = now;
      unreportedOutOfFds = 0;
      server.getConnections((err, connections) => {
        warn(outOfDescriptorsText(fdLimit, err === null ? connections : 0, since));
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      const onFd =
        fd === undefined
          ? undefined
          : `cannot serve on fd ${fd} (${err.message}); pass a socket that is open and bound`;
      reject(new ListenError(host, port, errorCode(err), err.message, onFd));
    };
    server.once("error", onError);
    const backlog = options.backlog ?? 4096;
    // Node takes the backlog of a listen on an fd from its arguments only, not from the
    // options (it would listen with 511 instead).
    server.listen(fd === undefined ? { host, port, backlog } : { fd }, backlog, () => {
      server.off("error", onError);
      resolve();
    });
  });
  // After binding, an error (say EMFILE on accept) must not crash the process: report it.
  server.on("error", (err) => warn(acceptErrorText(errorCode(err), err.message)));

  const where = server.address() as AddressInfo;
  const bound = where.port;
  const boundHost = fd === undefined ? host : where.address;

  const close = (): Promise<void> => {
    if (closing !== undefined) return closing;
    closing = new Promise<void>((resolve) => {
      server.close(() => resolve());
      const drained: Promise<void>[] = [];
      for (const entry of held) {
        clearTimeout(entry.timer);
        drained.push(answerStopping(entry.res, entry.res.req.method === "HEAD"));
      }
      held.clear();
      server.closeIdleConnections();
      let grace: NodeJS.Timeout | undefined;
      const cut = new Promise<void>((done) => {
        grace = setTimeout(done, CLOSE_GRACE_MS);
      });
      // Then cut what is left: half-sent requests, clients that do not read their 503.
      void Promise.race([Promise.all(drained), cut]).then(() => {
        clearTimeout(grace);
        server.closeAllConnections();
      });
    });
    return closing;
  };

  return { host: boundHost, port: bound, address: formatAddress(boundHost, bound), close };
}

function answerOk(res: ServerResponse, body: string, head: boolean): void {
  // Headers as a flat [name, value, …] list: node:http takes it as it is, with no object
  // to walk; the bytes on the wire are the same.
  res.writeHead(200, [
    "Content-Type",
    "text/plain; charset=utf-8",
    "Content-Length",
    String(Buffer.byteLength(body)),
  ]);
  res.end(head ? undefined : body, "utf8");
}

function answerReject(
  res: ServerResponse,
  r: Extract<Route, { kind: "reject" }>,
  head: boolean,
  usage: string,
): void {
  const body = `${r.status} ${REASON_PHRASES[r.status]}: ${r.reason}\n${usage}\n`;
  const headers: Record<string, string | number> = {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  };
  if (r.status === 405) headers.Allow = ALLOWED_METHODS;
  // After a 405 (maybe with a body we will not read) or a 414, do not trust the stream.
  if (r.status === 405 || r.status === 414) headers.Connection = "close";
  res.writeHead(r.status, headers);
  res.end(head ? undefined : body);
}

/** Answers 503 (the server is stopping) and resolves once that answer is handed to the OS. */
function answerStopping(res: ServerResponse, head: boolean): Promise<void> {
  if (res.headersSent || res.destroyed) return Promise.resolve();
  const body = "503 Service Unavailable: the delayserver is stopping\n";
  res.writeHead(503, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    Connection: "close",
  });
  return new Promise<void>((resolve) => {
    res.once("close", resolve);
    res.end(head ? undefined : body, resolve);
  });
}

/**
 * A request node:http could not parse (bad syntax, headers over 16 KiB, timeouts): answer
 * once if nothing was sent on this socket yet, then drop it. Never throws, never echoes.
 */
function onClientError(err: Error, socket: Socket): void {
  const code = errorCode(err);
  if (code === "ECONNRESET" || !socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const status =
    code === "HPE_HEADER_OVERFLOW" ? 431 : code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  socket.end(rawAnswer(status, `${status} ${REASON_PHRASES[status]}\n`), () => socket.destroy());
}
