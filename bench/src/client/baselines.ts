// The baselines a TypeScript developer would otherwise write: node:net sockets (or fetch)
// and Promise.all, all on Node's own event loop (libuv).
import { connect } from "node:net";
import { type BatchOutcome, isOk } from "./measure.js";
import { type Client, type ClientJob, pathOf } from "./protocol.js";

/** `GET {path}` over a raw node:net socket; resolves with the whole response once the server closes. */
export function netGet(host: string, port: number, request: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port });
    socket.write(request);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.on("error", reject);
  });
}

async function fetchGet(url: string): Promise<string> {
  const response = await fetch(url);
  const body = await response.text();
  return `HTTP/1.1 ${response.status} ${response.statusText}\r\n\r\n${body}`;
}

function withBudget<T>(work: Promise<T>, budgetMs: number): Promise<T | "over budget"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"over budget">((resolve) => {
    timer = setTimeout(() => resolve("over budget"), budgetMs);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

async function batch(
  job: ClientJob,
  n: number,
  path: (i: number) => string,
  get: (path: string) => Promise<string>,
): Promise<BatchOutcome> {
  let ok = 0;
  const all = Promise.all(
    Array.from({ length: n }, (_, i) =>
      get(path(i)).then((text) => {
        if (isOk(text)) ok++;
      }),
    ),
  );
  const outcome = await withBudget(all, job.budgetMs);
  return {
    ok,
    overBudget: outcome === "over budget",
    leafPolls: null,
    executorPolls: null,
    reactorEvents: null,
    reactorDropped: null,
  };
}

/** The node:net + Promise.all client. */
export function netClient(job: ClientJob): Client {
  const colon = job.address.lastIndexOf(":");
  const host = job.address.slice(0, colon);
  const port = Number(job.address.slice(colon + 1));
  const get = (path: string): Promise<string> =>
    netGet(
      host,
      port,
      Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${job.address}\r\nConnection: close\r\n\r\n`),
    );
  return {
    run: (n = job.n) => batch(job, n, (i) => pathOf(job, i), get),
  };
}

/** The fetch (undici) + Promise.all client. */
export function fetchClient(job: ClientJob): Client {
  const get = (path: string): Promise<string> => fetchGet(`http://${job.address}${path}`);
  return {
    run: (n = job.n) => batch(job, n, (i) => pathOf(job, i), get),
  };
}
