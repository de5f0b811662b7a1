import { execFileSync } from "node:child_process";
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
  /** The commit measured: CH08_COMMIT if set (a run from an exported tree), else git's HEAD (+ "-dirty"). */
  readonly commit: string | null;
}

function currentCommit(): string | null {
  const given = process.env.CH08_COMMIT;
  if (given !== undefined && given !== "") return given;
  try {
    const git = (...args: string[]): string =>
      execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const head = git("rev-parse", "--short", "HEAD");
    return git("status", "--porcelain", "--untracked-files=no").length > 0 ? `${head}-dirty` : head;
  } catch {
    return null;
  }
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
    commit: currentCommit(),
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
