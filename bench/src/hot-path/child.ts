// The mio hot paths the design promises not to allocate on — a poll that finds nothing,
// a read that returns WOULD_BLOCK, reading events by index — in a process of their own so
// nothing else allocates meanwhile. argv[2]: ops per round, argv[3]: rounds. Prints one
// JSON line: HotPathSample[].
import { createServer } from "node:net";
import { PerformanceObserver } from "node:perf_hooks";
import { Events, Interest, Poll, TcpStream, Token, Waker, WOULD_BLOCK } from "@ch08/mio";

/** One case's rounds, as the child measured them. */
export interface HotPathSample {
  /** The backend and the operation. */
  readonly name: string;
  /** ns per operation, one per round. */
  readonly nsPerOp: readonly number[];
  /** Heap growth per operation, one per round (no GC within a round: growth = allocation). */
  readonly bytesPerOp: readonly number[];
  /** Garbage collections during the measured rounds. */
  readonly gcs: number;
}

const ops = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 5);
/** Untimed rounds of each case before its measured ones. */
const WARMUP_ROUNDS = 2;

let gcs = 0;
new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
}).observe({ entryTypes: ["gc"] });
// GC entries arrive on the event loop: yield to it so they are counted where they belong.
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10));

/**
 * Runs `op` `count` times. The warm-up and every measured round go through this one loop:
 * when the rounds had a loop of their own, V8 compiled it on stack (OSR) during the first
 * round, and about one run in ten counted that code (~180 KB) as the operation's allocation.
 */
function repeat(op: () => void, count: number): void {
  for (let i = 0; i < count; i++) op();
}

async function measureCase(name: string, op: () => void): Promise<HotPathSample> {
  // Whole untimed rounds first: the optimised code they lead to lives on the heap too, and
  // must not be counted as the operation's allocation. A new case's `op` deoptimises
  // `repeat` (another call target); the warm-up rounds give it time to be compiled again.
  for (let round = 0; round < WARMUP_ROUNDS; round++) repeat(op, Math.max(10_000, ops));
  await settle();
  const gcsBefore = gcs;
  const nsPerOp: number[] = [];
  const bytesPerOp: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = process.hrtime.bigint();
    repeat(op, ops);
    const ns = Number(process.hrtime.bigint() - t0);
    const heap1 = process.memoryUsage().heapUsed;
    nsPerOp.push(ns / ops);
    bytesPerOp.push(Math.max(0, heap1 - heap0) / ops);
  }
  await settle();
  return { name, nsPerOp, bytesPerOp, gcs: gcs - gcsBefore };
}

// A listener that never answers: the stream connects (the kernel completes the handshake)
// and every read finds nothing.
const server = createServer(() => {});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
const port = typeof address === "object" && address !== null ? address.port : 0;

// The process's first measured round grew the heap by ~250 KB that no later round of the
// same operation did (the measuring itself settling in): an empty operation takes it.
await measureCase("nothing", () => {});

const samples: HotPathSample[] = [];
for (const backend of ["epoll", "poll"] as const) {
  const poll = new Poll({ backend });
  const events = new Events(64);
  const stream = TcpStream.connect({ host: "127.0.0.1", port });
  poll.registry().register(stream, Token(1), Interest.READABLE);
  const waker = new Waker(poll.registry(), Token(2));
  const buf = Buffer.alloc(4096);
  samples.push(
    await measureCase(`${backend}: poll(events, 0), nothing ready`, () => poll.poll(events, 0)),
  );
  samples.push(
    await measureCase(`${backend}: read → WOULD_BLOCK`, () => {
      if (stream.read(buf) !== WOULD_BLOCK) throw new Error("expected WOULD_BLOCK");
    }),
  );
  samples.push(
    await measureCase(`${backend}: read at offset 100 → WOULD_BLOCK`, () => {
      if (stream.read(buf, 100) !== WOULD_BLOCK) throw new Error("expected WOULD_BLOCK");
    }),
  );
  waker.wake();
  poll.poll(events, 100);
  let sink = 0;
  samples.push(
    await measureCase(`${backend}: events by index (token, isReadable)`, () => {
      for (let i = 0; i < events.length; i++) if (events.isReadable(i)) sink += events.token(i);
    }),
  );
  // Keeps the loop above from being optimised away.
  if (sink < 0) process.stderr.write(String(sink));
  waker.close();
  stream.close();
  poll.close();
}
server.close();
process.stdout.write(`${JSON.stringify(samples)}\n`);
