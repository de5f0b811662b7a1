import type { Machine } from "./machine.js";
import type { FileLimit } from "./rlimit.js";
import type { CostRow, CostSettings } from "./sections/client-cost.js";
import type { ColdFigures, ColdSettings } from "./sections/cold.js";
import type { DelayserverFigures, DelayserverSettings } from "./sections/delayserver.js";
import type { HotPathRow, HotPathSettings } from "./sections/hot-path.js";
import type { OverheadRow, OverheadSettings } from "./sections/overhead.js";
import type { PollsRow, PollsSettings } from "./sections/polls.js";
import type { ServerResults } from "./sections/server.js";
import type { WakeLatency, WakeSettings } from "./sections/wake-latency.js";

/** The `schema` this harness writes and reads. */
export const RESULTS_SCHEMA = 2;

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
  readonly schema: typeof RESULTS_SCHEMA;
  /** `--quick`: small sizes, a smoke run, not figures to quote. */
  readonly quick: boolean;
  /** Where and when: CPU, cores, Node, commit, and the load average at the start. */
  readonly machine: Machine;
  /** 1-minute load average when the run ended. */
  readonly loadAverageAtEnd: number;
  /** The open-files limit the clients ran under. */
  readonly fileLimit: FileLimit;
  /** The kernel's listen-backlog cap. */
  readonly somaxconn: number | null;
  /** How many accept queues (sockets sharing its port) the delayserver of sections 1-3 had (absent before there were several, and in runs without those sections). */
  readonly delayserverListeners?: number;
  /** 1-minute load average at the start and end of each section: other work skews times. */
  readonly load: Readonly<Record<string, readonly [number, number]>>;
  /** How long the whole run took, s. */
  readonly durationS: number;
  /** How long each section took, s. */
  readonly sectionSeconds: Readonly<Record<string, number>>;
  /** Section 1: polls per request. */
  readonly polls: { readonly settings: PollsSettings; readonly rows: readonly PollsRow[] };
  /** Section 2: client cost in steady state. */
  readonly clientCost: {
    readonly settings: CostSettings;
    readonly rows: readonly CostRow[];
    /** Sizes left out, and why. */
    readonly skipped: readonly string[];
  };
  /** Section 3: cold, whole process. */
  readonly cold: { readonly settings: ColdSettings } & ColdFigures;
  /** Section 4: executor overhead without I/O. */
  readonly overhead: { readonly settings: OverheadSettings; readonly rows: readonly OverheadRow[] };
  /** Section 5: wake latency across threads. */
  readonly wakeLatency: { readonly settings: WakeSettings } & WakeLatency;
  /** Section 6: mio's hot paths. */
  readonly hotPaths: { readonly settings: HotPathSettings; readonly rows: readonly HotPathRow[] };
  /** Section 7: the delayserver. */
  readonly delayserver: { readonly settings: DelayserverSettings } & DelayserverFigures;
  /** Section 8: the servers under wrk (absent in runs from before it existed). */
  readonly server?: ServerResults;
  /** The goals, checked. */
  readonly goals: readonly Goal[];
}
