// A client child process: argv[2] is a ClientJob as JSON. It runs the job's client —
// warm-up batches, unmeasured preparation, then the measured batch — and sends back what it
// measured about itself over IPC. Only the chosen client's modules are loaded, so the
// process's memory is that client's.
import { capturePrintln } from "@ch08/http";
import { measureBatch, threadTimes } from "./measure.js";
import { type Client, type ClientJob, type ClientMessage, warmupSize } from "./protocol.js";

async function load(job: ClientJob): Promise<Client> {
  switch (job.kind) {
    case "a":
      return (await import("./stage-a.js")).client(job);
    case "b":
      return (await import("./stage-b.js")).client(job);
    case "c":
    case "ctrace":
      return (await import("./stage-c.js")).client(job);
    case "c2":
      return (await import("./stage-c2.js")).client(job);
    case "d":
      return (await import("./stage-d.js")).client(job);
    case "mio":
      return (await import("./mio-loop.js")).client(job, "epoll");
    case "mio-poll":
      return (await import("./mio-loop.js")).client(job, "poll");
    case "net":
      return (await import("./baselines.js")).netClient(job);
    case "fetch":
      return (await import("./baselines.js")).fetchClient(job);
  }
}

function send(message: ClientMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      process.stdout.write(`${JSON.stringify(message)}\n`, () => resolve());
    } else {
      process.send(message, undefined, {}, () => resolve());
    }
  });
}

// Node's own threads, before any runtime starts one of its own.
const nodeThreads = new Set(threadTimes().keys());
nodeThreads.delete(process.pid);
const job = JSON.parse(process.argv[2] ?? "{}") as ClientJob;
// The stages print what the book prints on every poll and park; the bench measures the
// runtime, not the terminal.
capturePrintln(() => {});
process.env.DELAYSERVER = job.address;
try {
  const client = await load(job);
  const n = warmupSize(job.n);
  for (let i = 0; i < job.warmupBatches; i++) await (client.warm ? client.warm(n) : client.run(n));
  client.prepare?.();
  const result = await measureBatch(job, nodeThreads, () => client.run());
  await send({ type: "result", result });
} catch (error) {
  await send({
    type: "error",
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
}
// The runtimes' reactor threads are stopped by their own exit handlers.
process.exit(0);
