/**
 * @ch08/bench — every benchmark of the repository, in one harness: polls per request by
 * stage, client cost against node:net and fetch in steady state and as cold whole
 * processes, executor overhead against plain Promises, wake latency across threads, mio's
 * hot paths and the delayserver. Run them with `pnpm bench` (see README.md); the pieces
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
export { describeMachine, type Machine, somaxconn } from "./machine.js";
export { CLIENT_LABELS, checkGoals } from "./report.js";
export { type Goal, RESULTS_SCHEMA, type Results } from "./results.js";
export { type FileLimit, raiseFileLimit } from "./rlimit.js";
export { type RunClientOptions, runClient } from "./run-client.js";
export { type CpuTime, childrenCpu } from "./rusage.js";
export { type CostRow, type CostSettings, clientCost } from "./sections/client-cost.js";
export {
  type ColdFigures,
  type ColdGroup,
  type ColdProgram,
  type ColdRow,
  type ColdRun,
  type ColdSettings,
  coldPrograms,
  coldWholeProcess,
} from "./sections/cold.js";
export {
  type DelayserverFigures,
  type DelayserverSettings,
  delayserverBench,
  type HeldRow,
  type ThroughputRow,
} from "./sections/delayserver.js";
export { type HotPathRow, type HotPathSettings, mioHotPaths } from "./sections/hot-path.js";
export { executorOverhead, type OverheadRow, type OverheadSettings } from "./sections/overhead.js";
export { type PollsRow, type PollsSettings, pollsPerRequest } from "./sections/polls.js";
export {
  type LatencyRow,
  type WakeLatency,
  type WakeSettings,
  wakeLatency,
} from "./sections/wake-latency.js";
export { forkDelayServer, forkServer, type ServerOptions, type ServerProcess } from "./server.js";
export { median, percentile, type Spread, spread } from "./stats.js";
