// No runtime at all: one plain loop around a @ch08/mio Poll that connects every socket,
// writes each request when its socket turns writable and reads each answer to end of
// stream. What a runtime on top of mio cannot beat; on either backend (epoll, poll(2)).
import { Events, Interest, Poll, TcpStream, Token, WOULD_BLOCK } from "@ch08/mio";
import { type BatchOutcome, isOk } from "./measure.js";
import { type Client, type ClientJob, pathOf } from "./protocol.js";

function batch(poll: Poll, job: ClientJob, n: number, path: (i: number) => string): BatchOutcome {
  const colon = job.address.lastIndexOf(":");
  const host = job.address.slice(0, colon);
  const port = Number(job.address.slice(colon + 1));
  const events = new Events(1024);
  const registry = poll.registry();
  const streams: (TcpStream | undefined)[] = new Array(n);
  const requests: Buffer[] = new Array(n);
  const written = new Uint8Array(n);
  // Only the status line matters: the first bytes of each answer are kept, the rest counted.
  const heads: string[] = new Array(n).fill("");
  const buf = Buffer.alloc(64 * 1024);
  let open = 0;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    requests[i] = Buffer.from(
      `GET ${path(i)} HTTP/1.1\r\nHost: ${job.address}\r\nConnection: close\r\n\r\n`,
    );
    const stream = TcpStream.connect({ host, port });
    registry.register(stream, Token(i), Interest.add(Interest.READABLE, Interest.WRITABLE));
    streams[i] = stream;
    open++;
  }
  const deadline = performance.now() + job.budgetMs;
  let overBudget = false;
  while (open > 0) {
    if (performance.now() > deadline) {
      overBudget = true;
      break;
    }
    poll.poll(events, 100);
    for (let e = 0; e < events.length; e++) {
      const token = events.token(e);
      const stream = streams[token];
      const request = requests[token];
      if (stream === undefined || request === undefined) continue;
      // A request this small goes out in one write on a fresh connection.
      if (
        events.isWritable(e) &&
        written[token] === 0 &&
        stream.write(request) === request.length
      ) {
        written[token] = 1;
      }
      if (!events.isReadable(e)) continue;
      for (;;) {
        const r = stream.read(buf);
        if (r === WOULD_BLOCK) break;
        if (r === 0) {
          if (isOk(heads[token] ?? "")) ok++;
          stream.close();
          streams[token] = undefined;
          open--;
          break;
        }
        if ((heads[token] ?? "").length < 16)
          heads[token] += buf.toString("latin1", 0, Math.min(r, 16));
      }
    }
  }
  for (const stream of streams) stream?.close();
  return {
    ok,
    overBudget,
    leafPolls: null,
    executorPolls: null,
    reactorEvents: null,
    reactorDropped: null,
  };
}

/** The client on `backend`: the measured batch (main.ts runs it unmeasured first, to warm up). */
export function client(job: ClientJob, backend: "epoll" | "poll"): Client {
  const poll = new Poll({ backend });
  return {
    run: (n = job.n) => batch(poll, job, n, (i) => pathOf(job, i)),
  };
}
