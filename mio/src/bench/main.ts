/**
 * `pnpm bench`: N concurrent `GET /300/x` against a delay server, made by a plain
 * @ch08/mio poll loop and by node:net + Promise.all, each client in its own process so
 * that its CPU time is its own. Rounds alternate the clients; medians are reported, with
 * the ratios mio / node:net. `--quick` runs fewer requests and rounds.
 *
 * Goals: CPU per request <= 0.5x node:net, wall time <= 1.0x.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { HotPathReport } from "./hot-path.js";
import type { ClientReport } from "./measure.js";

const quick = process.argv.includes("--quick");
const N = quick ? 500 : 2000;
const ROUNDS = quick ? 3 : 5;
const PATH = "/300/x";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

async function firstLine(child: ChildProcess): Promise<string> {
  if (child.stdout === null) throw new Error("child has no stdout");
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, "line")) as [string];
  lines.close();
  return line;
}

async function runClient(file: string, port: number, backend?: string): Promise<ClientReport> {
  const env = { ...process.env, MIO_BACKEND: backend ?? "epoll" };
  const child = spawn(process.execPath, [here(file), String(port), String(N), PATH], {
    stdio: ["ignore", "pipe", "inherit"],
    env,
  });
  const exited = once(child, "exit");
  const line = await firstLine(child);
  const [code] = (await exited) as [number | null];
  if (code !== 0) throw new Error(`${file} exited with ${code}`);
  const report = JSON.parse(line) as ClientReport;
  if (report.ok !== N)
    throw new Error(`${report.client}: only ${report.ok}/${N} requests completed`);
  return report;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

const server = spawn(process.execPath, [here("./delay-server.js")], {
  stdio: ["ignore", "pipe", "inherit"],
});
try {
  const { port } = JSON.parse(await firstLine(server)) as { port: number };
  console.log(
    `@ch08/mio bench: ${N} concurrent GET ${PATH}, ${ROUNDS} rounds per client, ` +
      `each client in its own process${quick ? " (--quick)" : ""}`,
  );
  // mio/poll (the poll(2) backend) is shown for information; the goals are about epoll.
  const results: Record<string, ClientReport[]> = { mio: [], "node:net": [], "mio/poll": [] };
  const clients = [
    { file: "./client-mio.js", backend: "epoll" },
    { file: "./client-net.js", backend: "epoll" },
    { file: "./client-mio.js", backend: "poll" },
  ];
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order so no client always runs on a warmer (or busier) server.
    const order = clients.map((_, i) => clients[(i + round) % clients.length]);
    for (const client of order) {
      if (client === undefined) continue;
      const r = await runClient(client.file, port, client.backend);
      results[r.client]?.push(r);
      console.log(
        `  round ${round + 1} ${r.client.padEnd(8)} wall ${r.wallMs.toFixed(0).padStart(5)} ms  ` +
          `cpu ${r.cpuMs.toFixed(0).padStart(5)} ms  (${((r.cpuMs * 1000) / N).toFixed(1)} µs/request)`,
      );
    }
  }
  const summary = Object.entries(results).map(([client, rs]) => ({
    client,
    wallMs: median(rs.map((r) => r.wallMs)),
    cpuPerRequestUs: median(rs.map((r) => (r.cpuMs * 1000) / N)),
    processCpuMs: median(rs.map((r) => r.processCpuMs)),
    maxRssMiB: median(rs.map((r) => r.maxRssMiB)),
  }));
  console.log("\nmedians:");
  console.table(
    Object.fromEntries(
      summary.map((s) => [
        s.client,
        {
          "wall ms": Number(s.wallMs.toFixed(1)),
          "CPU µs/request": Number(s.cpuPerRequestUs.toFixed(1)),
          "process CPU ms (with startup)": Number(s.processCpuMs.toFixed(0)),
          "max RSS MiB": Number(s.maxRssMiB.toFixed(1)),
        },
      ]),
    ),
  );
  const [mio, base] = summary;
  if (mio !== undefined && base !== undefined) {
    const cpuRatio = mio.cpuPerRequestUs / base.cpuPerRequestUs;
    const wallRatio = mio.wallMs / base.wallMs;
    const verdict = (ok: boolean) => (ok ? "meets" : "MISSES");
    console.log(
      `mio / node:net  CPU per request ${cpuRatio.toFixed(2)}x (goal <= 0.5x: ${verdict(cpuRatio <= 0.5)})` +
        `  wall ${wallRatio.toFixed(2)}x (goal <= 1.0x: ${verdict(wallRatio <= 1.0)})`,
    );
  }
} finally {
  server.kill("SIGTERM");
}

// The hot paths, in a process of their own, so nothing else allocates meanwhile.
const hot = spawn(process.execPath, [here("./hot-path.js")], {
  stdio: ["ignore", "pipe", "inherit"],
});
const hotReports = JSON.parse(await firstLine(hot)) as HotPathReport[];
console.log("\nhot paths (200,000 ops each; heap growth with no GC in between = allocation):");
console.table(
  Object.fromEntries(
    hotReports.map((r) => [
      r.name,
      {
        "ns/op": Number(r.nsPerOp.toFixed(0)),
        "bytes/op": Number(r.bytesPerOp.toFixed(2)),
        GCs: r.gcs,
      },
    ]),
  ),
);
