/**
 * The hot paths the design promises not to allocate on: a poll that finds nothing, a
 * read that returns WOULD_BLOCK, reading events by index. Runs each 200,000 times and
 * reports ns/op and heap growth per op (with no GC in between, growth = allocation).
 */
import { createServer } from "node:net";
import { PerformanceObserver } from "node:perf_hooks";
import { Events, Interest, Poll, TcpStream, Token, Waker, WOULD_BLOCK } from "../index.js";

const OPS = 200_000;
let gcs = 0;
new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
}).observe({ entryTypes: ["gc"] });

/** One hot-path result. */
export interface HotPathReport {
  readonly name: string;
  readonly nsPerOp: number;
  readonly bytesPerOp: number;
  readonly gcs: number;
}

async function run(name: string, op: () => void): Promise<HotPathReport> {
  for (let i = 0; i < 10_000; i++) op(); // warm up the JIT
  await new Promise((resolve) => setTimeout(resolve, 10)); // flush pending gc entries
  const gcsBefore = gcs;
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) op();
  const ns = Number(process.hrtime.bigint() - t0);
  const heap1 = process.memoryUsage().heapUsed;
  await new Promise((resolve) => setTimeout(resolve, 10));
  return {
    name,
    nsPerOp: ns / OPS,
    bytesPerOp: Math.max(0, heap1 - heap0) / OPS,
    gcs: gcs - gcsBefore,
  };
}

const server = createServer(() => {});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
const port = typeof address === "object" && address !== null ? address.port : 0;

const reports: HotPathReport[] = [];
for (const backend of ["epoll", "poll"] as const) {
  const poll = new Poll({ backend });
  const events = new Events(64);
  const stream = TcpStream.connect({ host: "127.0.0.1", port });
  poll.registry().register(stream, Token(1), Interest.READABLE);
  const waker = new Waker(poll.registry(), Token(2));
  const buf = Buffer.alloc(4096);
  reports.push(await run(`${backend}: poll(events, 0), nothing ready`, () => poll.poll(events, 0)));
  reports.push(
    await run(`${backend}: read -> WOULD_BLOCK`, () => {
      if (stream.read(buf) !== WOULD_BLOCK) throw new Error("expected WOULD_BLOCK");
    }),
  );
  reports.push(
    await run(`${backend}: read at offset 100 -> WOULD_BLOCK`, () => {
      if (stream.read(buf, 100) !== WOULD_BLOCK) throw new Error("expected WOULD_BLOCK");
    }),
  );
  waker.wake();
  poll.poll(events, 100);
  let sink = 0;
  reports.push(
    await run(`${backend}: events by index (token, isReadable)`, () => {
      for (let i = 0; i < events.length; i++) if (events.isReadable(i)) sink += events.token(i);
    }),
  );
  if (sink < 0) console.log(sink);
  waker.close();
  stream.close();
  poll.close();
}
server.close();
process.stdout.write(`${JSON.stringify(reports)}\n`);
