// `pnpm bench` (node dist/bench.js [--quick]): how many delayed requests the delayserver
// holds at once and how late it answers them, and its /0/x throughput beside a bare
// node:http handler measured in the same run. Each server runs in its own child process,
// so it and this load generator each get a core (and each an fd table: 10,000 + 10,000).
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { holdMany } from "./bench/held.js";
import { forkServer } from "./bench/server-handle.js";
import { median, percentile, thousands } from "./bench/stats.js";
import { KeepAliveLoad } from "./bench/throughput.js";

const { values } = parseArgs({ options: { quick: { type: "boolean" } }, strict: true });
const quick = values.quick === true;

// Each delay is longer than the ramp that opens its connections, so all are held at once.
const HELD = quick
  ? [
      { n: 200, delayMs: 1_000 },
      { n: 1_000, delayMs: 1_500 },
    ]
  : [
      { n: 1_000, delayMs: 2_000 },
      { n: 10_000, delayMs: 5_000 },
    ];
const CONNECTIONS = 64;
const PAIRS = quick ? 6 : 20;
const WINDOW_MS = quick ? 300 : 500;
// node:http needs about a second of load before its hot paths are compiled.
const WARMUP_WINDOWS = quick ? 4 : 6;

const ms = (x: number): string => `${x.toFixed(1)} ms`;
const pad = (s: string, n: number): string => s.padEnd(n);

console.log(
  `delayserver bench${quick ? " (--quick)" : ""}: node ${process.version}, ${availableParallelism()} cpus; ` +
    "each server in a child process, load from this one over raw node:net sockets",
);
// Other work on the machine skews every number below; say how busy it was.
const load = (): string => loadavg()[0]?.toFixed(2) ?? "?";
console.log(`load average at start: ${load()}\n`);

console.log("held at once: one connection per request (Connection: close), GET /{delay}/x");
console.log(
  `${pad("requests", 10)}${pad("delay", 10)}${pad("peak held", 11)}${pad("ramp", 11)}${pad("failed", 8)}` +
    `${pad("early", 7)}${pad("late p50", 11)}${pad("late p99", 11)}${pad("late max", 11)}server RSS`,
);
const delayserver = await forkServer("delayserver");
// A cold server (and client) answers its first thousand requests in the interpreter, tens of
// ms late; hold one unreported batch first so every row measures compiled code.
await holdMany(delayserver.port, quick ? 500 : 2_000, 300);
for (const { n, delayMs } of HELD) {
  const holding = holdMany(delayserver.port, n, delayMs);
  // Sample memory mid-hold, when every request's socket and timer exist.
  const rss = await new Promise<number>((resolve) => {
    setTimeout(() => void delayserver.rss().then(resolve), delayMs * 0.8);
  });
  const r = await holding;
  console.log(
    `${pad(thousands(n), 10)}${pad(`${delayMs} ms`, 10)}${pad(thousands(r.peakHeld), 11)}${pad(ms(r.rampMs), 11)}` +
      `${pad(String(r.failures), 8)}${pad(String(r.early), 7)}${pad(ms(percentile(r.lateness, 50)), 11)}` +
      `${pad(ms(percentile(r.lateness, 99)), 11)}${pad(ms(percentile(r.lateness, 100)), 11)}${Math.round(rss / 2 ** 20)} MB`,
  );
}
await delayserver.stop();

console.log(
  `\nthroughput: ${CONNECTIONS} keep-alive connections per server, one request outstanding on each;` +
    `\n${PAIRS} pairs of ${WINDOW_MS} ms windows alternating between the two servers (ABBA order),` +
    " after a warm-up; medians over the pairs",
);
const bareServer = await forkServer("bare");
const dsServer = await forkServer("delayserver");
const bare = await KeepAliveLoad.open(bareServer.port, "/", CONNECTIONS);
const ds = await KeepAliveLoad.open(dsServer.port, "/0/x", CONNECTIONS);
for (let i = 0; i < WARMUP_WINDOWS; i++) {
  await bare.run(WINDOW_MS);
  await ds.run(WINDOW_MS);
}
const bareRates: number[] = [];
const dsRates: number[] = [];
const ratios: number[] = [];
for (let i = 0; i < PAIRS; i++) {
  // ABBA: neither server always goes first, so a drift in machine load favours neither.
  const [b, d] =
    i % 2 === 0
      ? [await bare.run(WINDOW_MS), await ds.run(WINDOW_MS)]
      : [await ds.run(WINDOW_MS), await bare.run(WINDOW_MS)].reverse();
  bareRates.push(b ?? 0);
  dsRates.push(d ?? 0);
  ratios.push((d ?? 0) / (b ?? 1));
}
bare.close();
ds.close();
await bareServer.stop();
await dsServer.stop();
console.log(`${pad("bare node:http, res.end('x')", 34)}${thousands(median(bareRates))} req/s`);
console.log(`${pad("delayserver GET /0/x", 34)}${thousands(median(dsRates))} req/s`);
console.log(
  `${pad("ratio delayserver / bare", 34)}${median(ratios).toFixed(2)} ` +
    `(pairs: ${Math.min(...ratios).toFixed(2)}..${Math.max(...ratios).toFixed(2)}; goal >= 0.90)`,
);
console.log(`\nload average at end: ${load()}`);
