import { readFileSync } from "node:fs";

/** Kernel TCP counters that explain slow connects (system-wide: every process counts). */
export interface TcpCounters {
  /** SYNs dropped because a listener's accept queue was full (TcpExt ListenOverflows). */
  readonly listenOverflows: number;
  /** SYNs sent again after a timeout (TcpExt TCPSynRetrans): 1 s, then 3 s, 7 s… later. */
  readonly synRetransmits: number;
}

/** Reads the counters from /proc/net/netstat; zeros where there is no such file. */
export function tcpCounters(): TcpCounters {
  try {
    const lines = readFileSync("/proc/net/netstat", "utf8").split("\n");
    const header = lines.findIndex((l) => l.startsWith("TcpExt:"));
    const names = (lines[header] ?? "").split(" ");
    const values = (lines[header + 1] ?? "").split(" ");
    const get = (name: string): number => Number(values[names.indexOf(name)] ?? 0);
    return { listenOverflows: get("ListenOverflows"), synRetransmits: get("TCPSynRetrans") };
  } catch {
    return { listenOverflows: 0, synRetransmits: 0 };
  }
}

/** `after` − `before`. */
export function tcpDelta(before: TcpCounters, after: TcpCounters): TcpCounters {
  return {
    listenOverflows: after.listenOverflows - before.listenOverflows,
    synRetransmits: after.synRetransmits - before.synRetransmits,
  };
}
