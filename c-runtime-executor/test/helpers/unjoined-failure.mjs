// A child process for failures.test.ts: one task fails and nobody joins it, another
// fails and is joined; the executor must report only the first, on stderr, when it ends.
import { writeSync } from "node:fs";
import { startDelayServerThread } from "@ch08/delayserver";
import { coroutine, Http, runtime, spawn, wait } from "../../dist/index.js";

const server = await startDelayServerThread({ port: 0, quiet: true });
process.env.DELAYSERVER = server.address;
const executor = runtime.init();
const ids = {};
const output = executor.blockOn(
  coroutine(function* () {
    ids.unjoined = spawn(
      coroutine(function* () {
        yield* wait(Http.get("/50/first"));
        throw new Error("nobody is waiting for me");
      }),
    ).id;
    const joined = spawn(
      // biome-ignore lint/correctness/useYield: it fails on its first poll.
      coroutine(function* () {
        throw new Error("my joiner handles this");
      }),
    );
    ids.joined = joined.id;
    try {
      yield* wait(joined);
    } catch (error) {
      ids.caught = error.name;
    }
    yield* wait(Http.get("/100/second"));
    return "top-level done";
  }),
  { timeoutMs: 5000 },
);
writeSync(1, `${JSON.stringify({ output, ...ids })}\n`);
runtime.shutdown();
await server.close();
