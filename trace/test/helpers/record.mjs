// Records a few events on the main thread and on a worker that got the trace buffers,
// as a runtime does; run with RUNTIME_TRACE / RUNTIME_TIMELINE / RUNTIME_SUMMARY set.
import { isMainThread, Worker, workerData } from "node:worker_threads";
import { Kind, record, traceBuffers, tracing } from "../../dist/index.js";

if (isMainThread) {
  if (tracing) record(Kind.SLOT, 1);
  if (tracing) record(Kind.POLL_BEGIN, 7);
  if (tracing) record(Kind.POLL_END, 7, 0);
  if (tracing) record(Kind.PARK);
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { name: "reactor", trace: traceBuffers() },
  });
  await new Promise((resolve) => worker.once("exit", resolve));
  if (tracing) record(Kind.UNPARK);
  if (tracing) record(Kind.POLL_BEGIN, 7);
  if (tracing) record(Kind.POLL_END, 7, 1);
  process.stdout.write(`tracing=${tracing}\n`);
} else {
  void workerData;
  record(Kind.WAIT_BEGIN);
  record(Kind.WAIT_END, 1);
  record(Kind.WAKE, 42, 1, 7);
}
