// A child process for leaks.test.ts: counts this process's open fds and OS threads
// before the runtime starts and after it has shut down, and prints both as JSON.
import { readdirSync, readlinkSync, writeSync } from "node:fs";
import { startDelayServerThread } from "@ch08/delayserver";
import { capturePrintln } from "@ch08/http";
import { asyncMain, runtime } from "../../dist/index.js";

/** The fds open now, each with what it points to. */
function fds() {
  const out = {};
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      out[fd] = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      // the fd readdir itself used, closed since
    }
  }
  return out;
}
const threads = () => readdirSync("/proc/self/task").length;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const server = await startDelayServerThread({ port: 0, quiet: true });
process.env.DELAYSERVER = server.address;
capturePrintln(() => {});
await sleep(50); // let the server thread's start settle
const before = { fds: fds(), threads: threads() };

const options = { delayUnitMs: 20 };
const executor = runtime.init();
const executorThreads = [1, 2].map((i) =>
  runtime.spawnExecutorThread(
    `exec-${i}`,
    new URL("../../dist/index.js", import.meta.url),
    "asyncMain",
    [{ ...options, lastLineOnly: true }],
  ),
);
const during = { threads: threads() };
const exits = executorThreads.map((t) => new Promise((resolve) => t.worker.once("exit", resolve)));
executor.blockOn(asyncMain(options), { timeoutMs: 10_000 });
for (const t of executorThreads) t.join(10_000);
runtime.shutdown();

// The executor threads' workers, then the reactor thread (which the runtime does not
// hand out), end shortly after: wait for them, with a deadline.
const deadline = Date.now() + 5000;
let timer;
await Promise.race([
  Promise.all(exits),
  new Promise((resolve) => {
    timer = setTimeout(resolve, 5000);
  }),
]);
clearTimeout(timer);
while (threads() > before.threads && Date.now() < deadline) await sleep(10);
const after = { fds: fds(), threads: threads() };

writeSync(1, `${JSON.stringify({ before, during, after })}\n`);
await server.close();
