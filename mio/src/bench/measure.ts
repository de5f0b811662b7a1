/** What each client process reports: its own wall and CPU time for the request phase. */
export interface ClientReport {
  readonly client: string;
  readonly requests: number;
  readonly ok: number;
  readonly bytes: number;
  /** Wall time from the first connect to the last end of stream. */
  readonly wallMs: number;
  /** User + system CPU of this process during the request phase. */
  readonly cpuMs: number;
  /** User + system CPU of this process since it started (module loading included). */
  readonly processCpuMs: number;
  /** Peak resident set size, in MiB. */
  readonly maxRssMiB: number;
}

/** Runs `body` and reports the wall and CPU time this process spent in it. */
export async function measure(
  client: string,
  requests: number,
  body: () => Promise<{ ok: number; bytes: number }> | { ok: number; bytes: number },
): Promise<ClientReport> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { ok, bytes } = await body();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const total = process.cpuUsage();
  return {
    client,
    requests,
    ok,
    bytes,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    processCpuMs: (total.user + total.system) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

/** Parses the client command line: PORT N PATH. */
export function clientArgs(): { port: number; n: number; path: string } {
  const [port = "0", n = "0", path = "/0/x"] = process.argv.slice(2);
  return { port: Number(port), n: Number(n), path };
}
