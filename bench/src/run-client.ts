import { fork } from "node:child_process";
import type { ClientJob, ClientMessage, ClientResult } from "./client/protocol.js";
import { tcpCounters, tcpDelta } from "./netstat.js";

/** Options for `runClient`. */
export interface RunClientOptions {
  /** Write a V8 CPU profile of the client process into this directory (`node --cpu-prof`). */
  readonly profileDir?: string;
}

/** Runs one client in a fresh child process and returns what it measured about itself. */
export function runClient(job: ClientJob, options: RunClientOptions = {}): Promise<ClientResult> {
  const execArgv =
    options.profileDir === undefined
      ? []
      : [
          "--cpu-prof",
          "--cpu-prof-dir",
          options.profileDir,
          "--cpu-prof-name",
          `${job.kind}-${job.n}.cpuprofile`,
        ];
  const child = fork(new URL("./client/main.js", import.meta.url), [JSON.stringify(job)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv,
    env: {
      ...process.env,
      DELAYSERVER: job.address,
      // Recording on (it is decided when the runtime loads): what tracing costs. The
      // summary it writes at exit goes nowhere; the recording itself is the cost.
      ...(job.kind === "ctrace" ? { RUNTIME_SUMMARY: "/dev/null" } : {}),
    },
  });
  const tcp0 = tcpCounters();
  return new Promise<ClientResult>((resolve, reject) => {
    let answer: ClientMessage | undefined;
    // Whatever the budget, a client that hangs must not hang the bench.
    const timer = setTimeout(() => child.kill("SIGKILL"), job.budgetMs + 120_000);
    child.on("message", (message: ClientMessage) => {
      answer = message;
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (answer?.type === "result")
        resolve({ ...answer.result, tcp: tcpDelta(tcp0, tcpCounters()) });
      else if (answer?.type === "error")
        reject(new Error(`client ${job.kind} n=${job.n}: ${answer.message}`));
      else
        reject(
          new Error(
            `client ${job.kind} n=${job.n} exited (code ${code}, signal ${signal}) without a result`,
          ),
        );
    });
  });
}
