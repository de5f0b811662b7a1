// Section 6: mio's hot paths, ns per operation and bytes allocated per operation, in a
// child process of their own (src/hot-path/child.ts), a few rounds each.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { HotPathSample } from "../hot-path/child.js";
import { round, type Spread, spread } from "../stats.js";

/** One hot path's figures over its rounds. */
export interface HotPathRow {
  /** The backend and the operation. */
  readonly name: string;
  /** ns per operation: median and range over the rounds. */
  readonly nsPerOp: Spread;
  /** The most heap growth per operation seen in any round, bytes (0: it allocates nothing). */
  readonly maxBytesPerOp: number;
  /** Garbage collections during all its rounds. */
  readonly gcs: number;
}

/** Section 6's settings. */
export interface HotPathSettings {
  /** Operations per round. */
  readonly ops: number;
  /** Rounds per case. */
  readonly rounds: number;
}

/** Runs section 6. */
export async function mioHotPaths(
  settings: HotPathSettings,
  log: (line: string) => void,
): Promise<HotPathRow[]> {
  const child = new URL("../hot-path/child.js", import.meta.url);
  // --no-memory-reducer: V8's memory reducer starts a mark-compact on a timer (8 s after
  // start, when allocation is slow), whatever the code does; `--trace-gc` names it
  // "Mark-Compact (reduce) … finalize incremental marking via task". Left on, it landed in
  // a measured round of a different case on every run, and "no GC" would say nothing
  // about the operations. Collections that allocation causes still count.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--no-memory-reducer", fileURLToPath(child), String(settings.ops), String(settings.rounds)],
    { timeout: 120_000 },
  );
  const samples = JSON.parse(stdout) as HotPathSample[];
  return samples.map((s) => {
    const row: HotPathRow = {
      name: s.name,
      nsPerOp: spread(s.nsPerOp, 3),
      maxBytesPerOp: round(Math.max(...s.bytesPerOp), 3),
      gcs: s.gcs,
    };
    log(
      `  ${row.name}: ${row.nsPerOp.median} ns/op (${row.nsPerOp.min}–${row.nsPerOp.max}), ${row.maxBytesPerOp} B/op, ${row.gcs} GCs`,
    );
    return row;
  });
}
