import { readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";

/** The machine a run was made on. */
export interface Machine {
  /** The CPU model, as /proc/cpuinfo names it. */
  readonly cpu: string;
  /** Logical cores available to this process. */
  readonly cores: number;
  /** Total memory in bytes. */
  readonly memoryBytes: number;
  /** `process.version`. */
  readonly node: string;
  /** `process.platform`-`process.arch`. */
  readonly platform: string;
  /** ISO date and time the run started. */
  readonly date: string;
  /** 1-minute load average when the run started: other work on the machine skews times. */
  readonly loadAverageAtStart: number;
}

/** Describes this machine. */
export function describeMachine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
    loadAverageAtStart: loadavg()[0] ?? 0,
  };
}

/** The 1-minute load average now. */
export function loadAverage(): number {
  return loadavg()[0] ?? 0;
}

/** The kernel's cap on a listen backlog (the delayserver's accept queue). */
export function somaxconn(): number | null {
  try {
    return Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8").trim());
  } catch {
    return null;
  }
}
