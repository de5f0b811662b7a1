// Real-socket clients for the tests, usable against any server that speaks HTTP/1.1 on
// 127.0.0.1: every wait here ends by a deadline with a message. Imports nothing from the
// delayserver, so that another package's tests can use them against its own server.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect, createServer } from "node:net";
import { performance } from "node:perf_hooks";

/** Rejects with `what` (worded at the deadline) unless `promise` settles within `ms`. */
export function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string | (() => string),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms: ${typeof what === "string" ? what : what()}`));
    }, ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** An answer as the client saw it, with how long it took. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  elapsedMs: number;
}

/** One request on a fresh connection (no agent pooling), answered within `deadlineMs`. */
export function get(
  address: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; deadlineMs?: number } = {},
): Promise<Answer> {
  const [host = "", port = ""] = splitAddress(address);
  const started = performance.now();
  const answer = new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(
      {
        host,
        port: Number(port),
        path,
        method: options.method ?? "GET",
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            elapsedMs: performance.now() - started,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
  return within(
    answer,
    options.deadlineMs ?? 10_000,
    `${options.method ?? "GET"} ${path.slice(0, 60)}`,
  );
}

/**
 * Writes raw bytes on a new TCP connection (to a port on 127.0.0.1, or to `host:port`) and
 * collects everything until the server closes it (or `until` says enough). `halfClose` sends
 * FIN right after the bytes.
 */
export function raw(
  to: number | string,
  bytes: string | Buffer,
  options: { halfClose?: boolean; deadlineMs?: number; until?: (text: string) => boolean } = {},
): Promise<string> {
  const [host, port] = typeof to === "number" ? ["127.0.0.1", String(to)] : splitAddress(to);
  const socket = connect({ host, port: Number(port) });
  const text = new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const soFar = (): string => Buffer.concat(chunks).toString("latin1");
    socket.on("connect", () => {
      if (options.halfClose === true) socket.end(bytes);
      else socket.write(bytes);
    });
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      if (options.until?.(soFar()) === true) {
        socket.destroy();
        resolve(soFar());
      }
    });
    socket.on("close", () => resolve(soFar()));
    socket.on("error", (err) => {
      // A reset after the answer arrived is still an answer.
      if (chunks.length > 0) resolve(soFar());
      else reject(err);
    });
  });
  return within(text, options.deadlineMs ?? 10_000, "raw exchange").finally(() => socket.destroy());
}

/** Whether this process can bind host:port right now (i.e. nothing holds it). */
export function canBind(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** host and port of `host:port` (no IPv6 needed here). */
export function splitAddress(address: string): [string, string] {
  const colon = address.lastIndexOf(":");
  return [address.slice(0, colon), address.slice(colon + 1)];
}
