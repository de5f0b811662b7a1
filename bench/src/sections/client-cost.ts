// Section 2: the whole-process cost of N concurrent GET /300/x, per client, each client in
// a child process of its own measuring itself around the batch.
import { CLIENT_KINDS, type ClientKind, type ClientResult } from "../client/protocol.js";
import { type RunClientOptions, runClient } from "../run-client.js";
import { median, round } from "../stats.js";

/** One client's figures at one N: medians over repetitions, and ratios to node:net. */
export interface CostRow {
  /** Which client. */
  readonly client: ClientKind;
  /** Concurrent requests. */
  readonly n: number;
  /** Complete responses in every repetition (all must be N unless over budget). */
  readonly ok: number;
  /** Some repetition ran out of budget: its figures are partial. */
  readonly overBudget: boolean;
  /** Wall time of the batch, ms (median). */
  readonly wallMs: number;
  /** Shortest and longest batch over the repetitions, ms. */
  readonly wallRangeMs: readonly [number, number];
  /** Process CPU time (user + system, every thread) per completed request, µs (median). */
  readonly cpuPerRequestUs: number;
  /** Least and most CPU per request over the repetitions, µs. */
  readonly cpuPerRequestRangeUs: readonly [number, number];
  /** Of which user time per request, µs (median): the client's own work. */
  readonly userPerRequestUs: number;
  /** Of which system time per request, µs (median): mostly the kernel's loopback TCP work. */
  readonly systemPerRequestUs: number;
  /** CPU per request by thread, µs (medians; /proc ticks of 10 ms, so coarse at small N). */
  readonly threadsPerRequestUs: {
    /** The main thread: executor, or Node's event loop. */
    readonly main: number;
    /** Threads the client started: reactor, second executor. */
    readonly runtime: number;
    /** Node's own helper threads (GC, compiler, libuv pool). */
    readonly node: number;
  };
  /** Peak RSS of the client process, MiB (median). */
  readonly maxRssMiB: number;
  /** SYNs dropped for a full accept queue and SYN retransmits during the client's runs (median; system-wide counters). */
  readonly listenOverflows: number;
  /** SYN retransmits (median): each is a connect that waited 1 s or more. */
  readonly synRetransmits: number;
  /** Leaf polls per request (stages), median. */
  readonly leafPollsPerRequest: number | null;
  /** cpuPerRequestUs / node:net's. */
  readonly cpuRatio: number;
  /** userPerRequestUs / node:net's: the ratio once the kernel's share is left out. */
  readonly userRatio: number;
  /** wallMs / node:net's. */
  readonly wallRatio: number;
  /** maxRssMiB / node:net's. */
  readonly rssRatio: number;
  /** Every repetition's raw figures. */
  readonly runs: readonly ClientResult[];
}

/** Section 2's settings. */
export interface CostSettings {
  /** Concurrent requests, one batch size after the other. */
  readonly sizes: readonly number[];
  /** Every request's path. */
  readonly path: string;
  /** Batches per client and size; the figures are their medians. */
  readonly repetitions: number;
  /** Unmeasured batches like the measured one before it (results written before had `warmup`). */
  readonly warmupBatches?: number;
  /** Unmeasured requests of `/1/warmup` before the batch: how results before `warmupBatches` warmed up. */
  readonly warmup?: number;
  /** Give up a batch after this many ms. */
  readonly budgetMs: number;
  /** The clients compared. */
  readonly clients: readonly ClientKind[];
}

/**
 * Runs section 2: repetitions interleaved (rep 1 of every client, then rep 2…, the order
 * rotated each time), so drift hits all alike and no client always follows the same one.
 */
export async function clientCost(
  address: string,
  settings: CostSettings,
  log: (line: string) => void,
  options: RunClientOptions = {},
): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  for (const n of settings.sizes) {
    const runs = new Map<ClientKind, ClientResult[]>();
    for (let rep = 0; rep < settings.repetitions; rep++) {
      const order = settings.clients.map(
        (_, i) => settings.clients[(i + rep) % settings.clients.length] ?? "net",
      );
      for (const client of order) {
        const r = await runClient(
          {
            kind: client,
            n,
            path: settings.path,
            address,
            warmupBatches: settings.warmupBatches ?? 0,
            budgetMs: settings.budgetMs,
            staggerMs: 0,
          },
          options,
        );
        const cpu = r.userMs + r.systemMs;
        log(
          `  N=${n} rep ${rep + 1} ${client.padEnd(5)} wall ${r.wallMs.toFixed(0).padStart(6)} ms` +
            `  cpu ${((cpu * 1000) / Math.max(1, r.ok)).toFixed(1).padStart(6)} µs/req` +
            `  maxRSS ${(r.maxRssBytes / 2 ** 20).toFixed(0)} MiB${r.overBudget ? "  OVER BUDGET" : ""}`,
        );
        runs.set(client, [...(runs.get(client) ?? []), r]);
      }
    }
    const summary = (results: readonly ClientResult[]) => ({
      wallMs: median(results.map((r) => r.wallMs)),
      cpu: median(results.map((r) => ((r.userMs + r.systemMs) * 1000) / Math.max(1, r.ok))),
      cpuAll: results.map((r) => ((r.userMs + r.systemMs) * 1000) / Math.max(1, r.ok)),
      walls: results.map((r) => r.wallMs),
      user: median(results.map((r) => (r.userMs * 1000) / Math.max(1, r.ok))),
      sys: median(results.map((r) => (r.systemMs * 1000) / Math.max(1, r.ok))),
      main: median(results.map((r) => (r.threads.mainMs * 1000) / Math.max(1, r.ok))),
      runtime: median(results.map((r) => (r.threads.runtimeThreadsMs * 1000) / Math.max(1, r.ok))),
      node: median(results.map((r) => (r.threads.nodeThreadsMs * 1000) / Math.max(1, r.ok))),
      rss: median(results.map((r) => r.maxRssBytes / 2 ** 20)),
    });
    const base = summary(runs.get("net") ?? []);
    for (const client of settings.clients) {
      const results = runs.get(client) ?? [];
      const s = summary(results);
      const leaf = results.map((r) => (r.leafPolls === null ? Number.NaN : r.leafPolls / r.job.n));
      rows.push({
        client,
        n,
        ok: Math.min(...results.map((r) => r.ok)),
        overBudget: results.some((r) => r.overBudget),
        wallMs: round(s.wallMs),
        wallRangeMs: [round(Math.min(...s.walls)), round(Math.max(...s.walls))],
        cpuPerRequestUs: round(s.cpu),
        cpuPerRequestRangeUs: [round(Math.min(...s.cpuAll)), round(Math.max(...s.cpuAll))],
        userPerRequestUs: round(s.user),
        systemPerRequestUs: round(s.sys),
        threadsPerRequestUs: {
          main: round(s.main, 3),
          runtime: round(s.runtime, 3),
          node: round(s.node, 3),
        },
        maxRssMiB: round(s.rss),
        leafPollsPerRequest: leaf.some(Number.isNaN) ? null : round(median(leaf)),
        listenOverflows: median(results.map((r) => r.tcp?.listenOverflows ?? 0)),
        synRetransmits: median(results.map((r) => r.tcp?.synRetransmits ?? 0)),
        cpuRatio: round(s.cpu / base.cpu, 3),
        userRatio: round(s.user / base.user, 3),
        wallRatio: round(s.wallMs / base.wallMs, 3),
        rssRatio: round(s.rss / base.rss, 3),
        runs: results,
      });
    }
  }
  return rows;
}

export { CLIENT_KINDS };
