import { ALLOWED_METHODS, REASON_PHRASES, route } from "./routes.js";

/**
 * A whole `Connection: close` answer as text, written straight to a socket: the
 * delayserver's own bytes for what node:http hands over unanswered (a request it cannot
 * parse, a CONNECT). Stage d's server writes the same bytes for the same requests.
 */
export function rawAnswer(
  status: keyof typeof REASON_PHRASES,
  body: string,
  headers: Record<string, string> = {},
): string {
  let head = `HTTP/1.1 ${status} ${REASON_PHRASES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return `${head}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** The answer to a CONNECT (node:http gives it no handler): 405 as for any method not served, or the router's 414. */
export function connectAnswer(target: string, maxDelayMs: number, usage: string): string {
  const r = route("CONNECT", target, maxDelayMs);
  const status = r.kind === "reject" ? r.status : 405;
  const reason = r.kind === "reject" ? r.reason : "only GET and HEAD are served";
  return rawAnswer(status, `${status} ${REASON_PHRASES[status]}: ${reason}\n${usage}\n`, {
    Allow: ALLOWED_METHODS,
  });
}
