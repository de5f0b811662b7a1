import type { Machine } from "./machine.js";
import type { FileLimit } from "./rlimit.js";
import type { CostRow, CostSettings } from "./sections/client-cost.js";
import type { OverheadRow, OverheadSettings } from "./sections/overhead.js";
import type { PollsRow, PollsSettings } from "./sections/polls.js";
import type { ServerResults } from "./sections/server.js";
import type { WakeLatency, WakeSettings } from "./sections/wake-latency.js";

/** One goal of the issue, checked against the run. */
export interface Goal {
  /** What the goal says. */
  readonly goal: string;
  /** The figure it was checked on. */
  readonly value: string;
  /** Met or not. */
  readonly met: boolean;
}

/** Everything a run measured: what `latest.json` holds. */
export interface Results {
  /** Bumped when the shape changes. */
  readonly schema: 1;
  /** `--quick`: small sizes, a smoke run, not figures to quote. */
  readonly quick: boolean;
  /** Where and when. */
  readonly machine: Machine;
  /** The open-files limit the clients ran under. */
  readonly fileLimit: FileLimit;
  /** The kernel's listen-backlog cap. */
  readonly somaxconn: number | null;
  /** 1-minute load average at the start and end of each section: other work skews times. */
  readonly load: Readonly<Record<string, readonly [number, number]>>;
  /** How long the whole run took, s. */
  readonly durationS: number;
  /** Section 1: polls per request. */
  readonly polls: { readonly settings: PollsSettings; readonly rows: readonly PollsRow[] };
  /** Section 2: client cost. */
  readonly clientCost: {
    readonly settings: CostSettings;
    readonly rows: readonly CostRow[];
    /** Sizes left out, and why. */
    readonly skipped: readonly string[];
  };
  /** Section 3: executor overhead without I/O. */
  readonly overhead: { readonly settings: OverheadSettings; readonly rows: readonly OverheadRow[] };
  /** Section 4: wake latency across threads. */
  readonly wakeLatency: { readonly settings: WakeSettings } & WakeLatency;
  /** Section 5: the servers under wrk (absent in runs from before it existed). */
  readonly server?: ServerResults;
  /** The goals, checked. */
  readonly goals: readonly Goal[];
}
