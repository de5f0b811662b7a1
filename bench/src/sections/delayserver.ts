// Section 7: the delayserver itself, each server in a child process of its own and the
// load from this one over raw node:net sockets. How many delayed requests it holds at once
// and how late it answers them; and its /0/x throughput against bare node:http, measured
// in alternating windows of the same run.
import { holdMany } from "../load/held.js";
import { KeepAliveLoad } from "../load/keep-alive.js";
import { forkServer } from "../server.js";
import { median, percentile, round, type Spread, spread } from "../stats.js";

/** One batch of requests held at once. */
export interface HeldRow {
  /** Requests, one connection each. */
  readonly n: number;
  /** The delay each asks for, ms. */
  readonly delayMs: number;
  /** Most requests held at one moment. */
  readonly peakHeld: number;
  /** First connect to last request written, ms. */
  readonly rampMs: number;
  /** Requests with no 200. */
  readonly failures: number;
  /** Answers earlier than their delay (must be 0). */
  readonly early: number;
  /** Lateness of the answers, ms: median, 99th percentile, worst. */
  readonly latenessP50Ms: number;
  /** 99th percentile lateness, ms. */
  readonly latenessP99Ms: number;
  /** Worst lateness, ms. */
  readonly latenessMaxMs: number;
  /** The server's RSS while it held them, MiB. */
  readonly serverRssMiB: number;
}

/** Throughput of the delayserver against bare node:http, over ABBA pairs of windows. */
export interface ThroughputRow {
  /** Which server. */
  readonly server: "bare node:http, res.end('x')" | "delayserver GET /0/x";
  /** Requests per second, median over the windows. */
  readonly medianPerSecond: number;
  /** Slowest and fastest window, requests per second. */
  readonly rangePerSecond: readonly [number, number];
}

/** Section 7's figures. */
export interface DelayserverFigures {
  /** Batches held at once. */
  readonly held: readonly HeldRow[];
  /** The two servers' throughput. */
  readonly throughput: readonly ThroughputRow[];
  /** delayserver / bare within each pair: median and range. */
  readonly ratio: Spread;
}

/** Section 7's settings. */
export interface DelayserverSettings {
  /** Batches to hold: each delay longer than the ramp that opens its connections. */
  readonly held: readonly { readonly n: number; readonly delayMs: number }[];
  /** An unreported batch first, so neither process is measured before its JIT has warmed. */
  readonly warmHeld: number;
  /** Keep-alive connections per server. */
  readonly connections: number;
  /** Measured pairs of windows. */
  readonly pairs: number;
  /** One window, ms. */
  readonly windowMs: number;
  /** Unmeasured windows per server first (node:http needs about a second to compile its hot paths). */
  readonly warmupWindows: number;
}

/** Runs section 7. */
export async function delayserverBench(
  settings: DelayserverSettings,
  log: (line: string) => void,
): Promise<DelayserverFigures> {
  const held: HeldRow[] = [];
  const server = await forkServer();
  try {
    await holdMany(server.port, settings.warmHeld, 300);
    for (const { n, delayMs } of settings.held) {
      const holding = holdMany(server.port, n, delayMs);
      // Memory mid-hold, when every request's socket and timer exist.
      const rss = await new Promise<number>((resolve, reject) => {
        setTimeout(() => server.rss().then(resolve, reject), delayMs * 0.8);
      });
      const r = await holding;
      const row: HeldRow = {
        n,
        delayMs,
        peakHeld: r.peakHeld,
        rampMs: round(r.rampMs, 3),
        failures: r.failures,
        early: r.early,
        latenessP50Ms: round(percentile(r.latenessMs, 50), 3),
        latenessP99Ms: round(percentile(r.latenessMs, 99), 3),
        latenessMaxMs: round(percentile(r.latenessMs, 100), 3),
        serverRssMiB: round(rss / 2 ** 20, 3),
      };
      log(
        `  held ${n} × /${delayMs}/x: peak ${row.peakHeld}, ramp ${row.rampMs} ms, late p50 ${row.latenessP50Ms} ms, p99 ${row.latenessP99Ms} ms, max ${row.latenessMaxMs} ms, ${row.failures} failed`,
      );
      held.push(row);
    }
  } finally {
    await server.stop();
  }

  const bareServer = await forkServer({ kind: "bare" });
  const delayServer = await forkServer();
  const bare = await KeepAliveLoad.open(bareServer.port, "/", settings.connections);
  const delay = await KeepAliveLoad.open(delayServer.port, "/0/x", settings.connections);
  const bareRates: number[] = [];
  const delayRates: number[] = [];
  const ratios: number[] = [];
  try {
    for (let i = 0; i < settings.warmupWindows; i++) {
      await bare.run(settings.windowMs);
      await delay.run(settings.windowMs);
    }
    for (let i = 0; i < settings.pairs; i++) {
      // ABBA: neither server always goes first, so drifting load favours neither.
      let b: number;
      let d: number;
      if (i % 2 === 0) {
        b = await bare.run(settings.windowMs);
        d = await delay.run(settings.windowMs);
      } else {
        d = await delay.run(settings.windowMs);
        b = await bare.run(settings.windowMs);
      }
      bareRates.push(b);
      delayRates.push(d);
      ratios.push(d / b);
    }
  } finally {
    bare.close();
    delay.close();
    await bareServer.stop();
    await delayServer.stop();
  }
  const row = (server: ThroughputRow["server"], rates: number[]): ThroughputRow => ({
    server,
    medianPerSecond: round(median(rates)),
    rangePerSecond: [round(Math.min(...rates)), round(Math.max(...rates))],
  });
  const figures: DelayserverFigures = {
    held,
    throughput: [
      row("bare node:http, res.end('x')", bareRates),
      row("delayserver GET /0/x", delayRates),
    ],
    ratio: spread(ratios, 3),
  };
  log(
    `  throughput: delayserver / bare ${figures.ratio.median} (pairs ${figures.ratio.min}–${figures.ratio.max})`,
  );
  return figures;
}
