import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { DelayServer } from "@ch08/delayserver";
import { capturePrintln } from "@ch08/http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  coroutine,
  type Executor,
  type Future,
  Http,
  NotAFutureError,
  NotAPollStateError,
  ready,
  runtime,
  spawn,
  TaskFailedError,
  wait,
} from "../dist/index.js";
import { silencePrintln, startServer } from "./helpers/server.js";

let server: DelayServer;
let executor: Executor;

beforeAll(async () => {
  server = await startServer();
  silencePrintln();
  executor = runtime.init();
});

afterAll(async () => {
  runtime.shutdown();
  capturePrintln(undefined);
  await server?.close();
});

const run = promisify(execFile);

describe("a bad timeoutMs", () => {
  it("is refused before anything runs, and the executor stays usable", () => {
    // NaN is what Number(process.env.X) gives for an unset X; Atomics.wait would read it
    // as "no limit", and blockOn parked for ever.
    for (const timeoutMs of [Number.NaN, -1]) {
      let polled = false;
      const future = {
        poll: () => {
          polled = true;
          return { ready: true as const, value: 1 };
        },
      };
      expect(() => executor.blockOn(future, { timeoutMs })).toThrow(
        /blockOn: timeoutMs must be a number of milliseconds, 0 or more/,
      );
      expect(polled).toBe(false);
    }
    expect(executor.blockOn(Http.get("/0/after"), { timeoutMs: 5000 })).toMatch(/after$/);
  });
});

describe("a task that throws", () => {
  it("ends alone: the other tasks finish, its JoinHandle throws TaskFailedError with its id", () => {
    const finished: string[] = [];
    const caught: unknown[] = [];
    let failingId = -1;
    executor.blockOn(
      coroutine(function* () {
        const failing = spawn(
          coroutine(function* () {
            yield* wait(Http.get("/50/before-the-throw"));
            throw new RangeError("boom");
          }),
        );
        failingId = failing.id;
        for (const ms of [0, 100, 150]) {
          spawn(
            coroutine(function* () {
              yield* wait(Http.get(`/${ms}/x`));
              finished.push(`${ms}`);
            }),
          );
        }
        try {
          yield* wait(failing);
        } catch (error) {
          caught.push(error);
        }
      }),
      { timeoutMs: 5000 },
    );
    expect(finished).toEqual(["0", "100", "150"]);
    expect(caught).toHaveLength(1);
    const error = caught[0];
    expect(error).toBeInstanceOf(TaskFailedError);
    if (!(error instanceof TaskFailedError)) return;
    expect(error.taskId).toBe(failingId);
    expect(error.message).toBe(`task ${failingId} failed: boom`);
    expect(error.cause).toBeInstanceOf(RangeError);
  });

  it("a task whose poll is async fails alone with NotAPollStateError, instead of never waking", () => {
    // TypeScript refuses `async poll()` on a Future; JavaScript, or a cast, does not. Read
    // as "not ready", its Promise would leave the task waiting for a wake nobody sends.
    const asyncPoll = {
      async poll() {
        return ready(1);
      },
    } as unknown as Future<number>;
    let caught: unknown;
    let after = "";
    executor.blockOn(
      coroutine(function* () {
        const failing = spawn(asyncPoll);
        spawn(
          coroutine(function* () {
            after = yield* wait(Http.get("/20/after"));
          }),
        );
        try {
          yield* wait(failing);
        } catch (error) {
          caught = error;
        }
      }),
      { timeoutMs: 5000 },
    );
    expect(after).toMatch(/after$/);
    expect(caught).toBeInstanceOf(TaskFailedError);
    expect((caught as Error).cause).toBeInstanceOf(NotAPollStateError);
    expect(String(caught)).toMatch(/returned a Promise \(is poll declared async\?\)/);
    // A Promise handed to spawn or blockOn is refused where it is handed over.
    const promise = Promise.resolve(1) as unknown as Future<number>;
    expect(() => executor.blockOn(promise, { timeoutMs: 5000 })).toThrow(NotAFutureError);
    expect(() =>
      executor.blockOn(
        // biome-ignore lint/correctness/useYield: it fails as it spawns.
        coroutine(function* () {
          spawn(promise);
        }),
        { timeoutMs: 5000 },
      ),
    ).toThrow(/spawn or blockOn was given a Promise, not a Future/);
  });

  it("a failure that is caught inside a coroutine lets it go on", () => {
    const output = executor.blockOn(
      coroutine(function* () {
        const failing = spawn(
          // biome-ignore lint/correctness/useYield: it fails on its first poll.
          coroutine(function* () {
            throw new Error("first");
          }),
        );
        let recovered = "";
        try {
          yield* wait(failing);
        } catch (error) {
          recovered = error instanceof TaskFailedError ? `recovered from task ${error.taskId}` : "";
        }
        const txt = yield* wait(Http.get("/20/after"));
        return `${recovered}, then ${txt.slice(txt.indexOf("\r\n\r\n") + 4)}`;
      }),
      { timeoutMs: 5000 },
    );
    expect(output).toMatch(/^recovered from task \d+, then after$/);
  });

  it("blockOn throws if the top-level task fails — after the other tasks have finished", () => {
    const finished: string[] = [];
    let thrown: unknown;
    try {
      executor.blockOn(
        coroutine(function* () {
          spawn(
            coroutine(function* () {
              yield* wait(Http.get("/100/still-runs"));
              finished.push("spawned");
            }),
          );
          yield* wait(Http.get("/10/x"));
          throw new Error("top-level fails");
        }),
        { timeoutMs: 5000 },
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TaskFailedError);
    expect(String(thrown)).toMatch(/^TaskFailedError: task \d+ failed: top-level fails$/);
    expect(finished).toEqual(["spawned"]);
    // The executor is usable again.
    expect(executor.blockOn(Http.get("/0/again"), { timeoutMs: 5000 })).toMatch(/\r\n\r\nagain$/);
  });

  /** Runs the helper whose one unjoined task fails; its result line and stderr. */
  async function unjoinedFailure(env: NodeJS.ProcessEnv = {}) {
    const { stdout, stderr } = await run(
      process.execPath,
      [new URL("./helpers/unjoined-failure.mjs", import.meta.url).pathname],
      { timeout: 15_000, env: { ...process.env, CH08_BACKTRACE: "", ...env } },
    );
    const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
    expect(result).toMatchObject({ output: "top-level done", caught: "TaskFailedError" });
    expect(stderr).not.toMatch(/my joiner handles this/);
    const report = `main: task ${result.unjoined} failed and nobody joined it: Error: nobody is waiting for me`;
    return { stderr, report };
  }

  it("an unjoined failure is reported on stderr when the executor finishes, as one line; a joined one is not", async () => {
    const { stderr, report } = await unjoinedFailure();
    // Rust's way: the message, and a note on how to see where (no stack per task).
    expect(stderr.trim().split("\n")).toEqual([
      report,
      "main: note: run with CH08_BACKTRACE=1 to see where each failure was thrown",
    ]);
  });

  it("with CH08_BACKTRACE=1 the stack follows the report line, and no note", async () => {
    const { stderr, report } = await unjoinedFailure({ CH08_BACKTRACE: "1" });
    expect(stderr.startsWith(`${report}\n    at `)).toBe(true);
    expect(stderr).not.toMatch(/note: run with/);
  });

  it("a task whose coroutine body is an async function* fails alone, where it used to spin for ever", async () => {
    // Its steps are Promises: the coroutine read each as a future, failed to poll it, threw
    // that into the generator and got another Promise, never returning from the poll: no
    // other task ran and no deadline ended it. In a child process, so the old code fails here.
    const script = `
      const { runtime, coroutine, spawn, wait, ready } = await import(${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)});
      const executor = runtime.init();
      const out = executor.blockOn(coroutine(function* () {
        const bad = spawn(coroutine(async function* () { return 1; }));
        const good = yield* wait(spawn({ poll: () => ready("the other task ran") }));
        try { yield* wait(bad); } catch (error) { return good + "; " + error.cause.name + ": " + error.cause.message; }
      }), { timeoutMs: 2000 });
      console.log(out);
      runtime.shutdown();`;
    const file = join(mkdtempSync(join(tmpdir(), "ch08-")), "async-body.mjs");
    writeFileSync(file, script);
    const { stdout } = await run(process.execPath, [file], { timeout: 15_000 });
    expect(stdout.trim().split("\n").at(-1)).toMatch(
      /^the other task ran; NotAGeneratorError: coroutine\(body\): body\(\) returned an async generator/,
    );
  });
});
