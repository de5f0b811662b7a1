/**
 * @ch08/trace — sees the runtimes work. Every stage records polls, wakes, parks and
 * `epoll_wait`s here when `RUNTIME_TRACE=trace.json` (Chrome trace-event JSON, for
 * Perfetto or chrome://tracing), `RUNTIME_TIMELINE=1` (a text timeline after the run)
 * or `RUNTIME_SUMMARY=file` (counts, for the tour) is set. Off, a recording point is one
 * branch on a constant: `if (tracing) record(Kind.WAKE, token, slot, task)`.
 */
export { slotOwners, type TraceDocument, type TraceEvent, toChromeTrace } from "./chrome.js";
export { type Lane, lanes, type Mark, type Span } from "./lanes.js";
export {
  CAPACITY,
  Kind,
  type Recording,
  record,
  recording,
  TRACE_VARIABLES,
  type TraceBuffers,
  type TraceRecord,
  traceBuffers,
  traceRequested,
  tracing,
} from "./recorder.js";
export { type RunSummary, summarize } from "./report.js";
export { svgTimeline } from "./svg.js";
export { textTimeline } from "./timeline.js";
