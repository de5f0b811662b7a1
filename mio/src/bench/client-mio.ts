/**
 * The @ch08/mio client: connect all, write each request when writable, read each
 * response to end of stream: one plain loop around Poll.poll, as in the book.
 */
import { Events, Interest, Poll, TcpStream, Token, WOULD_BLOCK } from "../index.js";
import { clientArgs, measure } from "./measure.js";

const { port, n, path } = clientArgs();
const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);

const name = process.env.MIO_BACKEND === "poll" ? "mio/poll" : "mio";
const report = await measure(name, n, () => {
  const poll = new Poll();
  const events = new Events(1024);
  const registry = poll.registry();
  const streams: (TcpStream | undefined)[] = new Array(n);
  const written = new Uint8Array(n);
  const buf = Buffer.alloc(64 * 1024);
  let open = 0;
  let ok = 0;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const stream = TcpStream.connect({ host: "127.0.0.1", port });
    registry.register(stream, Token(i), Interest.add(Interest.READABLE, Interest.WRITABLE));
    streams[i] = stream;
    open++;
  }
  const deadline = Date.now() + 60_000;
  while (open > 0) {
    if (Date.now() > deadline)
      throw new Error(`mio client: ${open} requests still open after 60 s`);
    poll.poll(events, 1000);
    for (let e = 0; e < events.length; e++) {
      const token = events.token(e);
      const stream = streams[token];
      if (stream === undefined) continue;
      if (events.isWritable(e) && written[token] === 0) {
        // A request this small goes out in one write on a fresh connection.
        if (stream.write(request) === request.length) written[token] = 1;
      }
      if (events.isReadable(e)) {
        for (;;) {
          const r = stream.read(buf);
          if (r === WOULD_BLOCK) break;
          if (r === 0) {
            stream.close();
            streams[token] = undefined;
            open--;
            ok++;
            break;
          }
          bytes += r;
        }
      }
    }
  }
  poll.close();
  return { ok, bytes };
});
process.stdout.write(`${JSON.stringify(report)}\n`);
