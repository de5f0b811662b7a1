/**
 * @ch08/bench — the benchmarks of the chapter 8 runtimes: polls per request by stage,
 * client cost against node:net and fetch, executor overhead against plain Promises, and
 * wake latency across threads. Run them with `pnpm bench` (see README.md); the pieces
 * are exported for scripts that want one of them alone.
 */
export { chartSvg } from "./chart.js";
export {
  CLIENT_KINDS,
  type Client,
  type ClientJob,
  type ClientKind,
  type ClientResult,
} from "./client/protocol.js";
export { describeMachine, type Machine } from "./machine.js";
export { CLIENT_LABELS, checkGoals } from "./report.js";
export type { Goal, Results } from "./results.js";
export { type FileLimit, raiseFileLimit } from "./rlimit.js";
export { type RunClientOptions, runClient } from "./run-client.js";
export { type CostRow, type CostSettings, clientCost } from "./sections/client-cost.js";
export { executorOverhead, type OverheadRow, type OverheadSettings } from "./sections/overhead.js";
export { type PollsRow, type PollsSettings, pollsPerRequest } from "./sections/polls.js";
export {
  type LatencyRow,
  type WakeLatency,
  type WakeSettings,
  wakeLatency,
} from "./sections/wake-latency.js";
export { forkDelayServer, type ServerProcess } from "./server.js";
export { percentile } from "./stats.js";
