import type { DelayServer } from "@ch08/delayserver";
import { capturePrintln } from "@ch08/http";
import { AlreadyRunningError, SelfJoinError } from "@ch08/std";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  coroutine,
  DeadlineError,
  type Executor,
  Http,
  type JoinHandle,
  OutsideRuntimeError,
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
});

afterAll(async () => {
  runtime.shutdown();
  capturePrintln(undefined);
  await server?.close();
});

/** The body of a delayserver response. */
function body(response: string): string {
  return response.slice(response.indexOf("\r\n\r\n") + 4);
}

describe("spawn", () => {
  it("outside a runtime says how to start one", () => {
    expect(() => spawn(coroutine(function* () {}))).toThrow(OutsideRuntimeError);
    expect(() => spawn(coroutine(function* () {}))).toThrow(/runtime\.init\(\)/);
    // An executor thread started now would find no reactor to join and start its own.
    const programs = new URL("./helpers/programs.mjs", import.meta.url);
    expect(() => runtime.spawnExecutorThread("exec-x", programs, "never")).toThrow(
      OutsideRuntimeError,
    );
    executor = runtime.init();
  });

  it("from inside a task: the child runs, and so does the child's child", () => {
    const ran: string[] = [];
    const output = executor.blockOn(
      // biome-ignore lint/correctness/useYield: it only spawns, like the book's async_main.
      coroutine(function* () {
        ran.push("parent");
        spawn(
          coroutine(function* () {
            ran.push("child");
            const txt = yield* wait(Http.get("/50/child"));
            ran.push(`child got ${body(txt)}`);
            spawn(
              // biome-ignore lint/correctness/useYield: the grandchild needs no I/O.
              coroutine(function* () {
                ran.push("grandchild");
              }),
            );
          }),
        );
        return "parent done";
      }),
      { timeoutMs: 5000 },
    );
    // blockOn returns once every task has finished, not only the top-level one.
    expect(output).toBe("parent done");
    expect(ran).toEqual(["parent", "child", "child got child", "grandchild"]);
  });

  it("a JoinHandle chain: A awaits B's handle, B awaits C's; the values flow back", () => {
    const order: string[] = [];
    const c = (): JoinHandle<number> =>
      spawn(
        coroutine(function* () {
          order.push("C starts");
          const txt = yield* wait(Http.get("/100/21"));
          order.push("C done");
          return Number(body(txt));
        }),
      );
    const b = (): JoinHandle<number> =>
      spawn(
        coroutine(function* () {
          order.push("B starts");
          const fromC = yield* wait(c());
          order.push("B done");
          return fromC * 2;
        }),
      );
    const output = executor.blockOn(
      coroutine(function* () {
        order.push("A starts");
        const handle = b();
        const fromB = yield* wait(handle);
        order.push("A done");
        return `A got ${fromB} from task ${handle.id}`;
      }),
      { timeoutMs: 5000 },
    );
    expect(output).toMatch(/^A got 42 from task \d+$/);
    expect(order).toEqual(["A starts", "B starts", "C starts", "C done", "B done", "A done"]);
  });

  it("a JoinHandle of a task that already finished is ready at once", () => {
    const output = executor.blockOn(
      coroutine(function* () {
        const handle = spawn(
          // biome-ignore lint/correctness/useYield: finishes on its first poll.
          coroutine(function* () {
            return "early";
          }),
        );
        // Let the child run first: wait for a request that takes a while.
        yield* wait(Http.get("/50/later"));
        return yield* wait(handle);
      }),
      { timeoutMs: 5000 },
    );
    expect(output).toBe("early");
  });

  it("each JoinHandle gives its own task's output, whatever order the tasks finish in", () => {
    const outputs = executor.blockOn(
      coroutine(function* () {
        const handles = [300, 200, 100, 0].map((ms) => spawn(Http.get(`/${ms}/d${ms}`)));
        const bodies: string[] = [];
        for (const handle of handles) bodies.push(body(yield* wait(handle)));
        return bodies;
      }),
      { timeoutMs: 5000 },
    );
    expect(outputs).toEqual(["d300", "d200", "d100", "d0"]);
  });

  it("blockOn inside a running executor is refused: spawn instead", () => {
    let refused: unknown;
    executor.blockOn(
      // biome-ignore lint/correctness/useYield: it fails on its first poll.
      coroutine(function* () {
        try {
          executor.blockOn(coroutine(function* () {}));
        } catch (error) {
          refused = error;
        }
      }),
      { timeoutMs: 5000 },
    );
    expect(refused).toBeInstanceOf(AlreadyRunningError);
    expect(String(refused)).toMatch(/blockOn called inside a running executor: spawn instead/);
  });

  it("a JoinHandle awaited by two tasks wakes both when its task ends", () => {
    // The second task's waker used to replace the first's: the first waited for ever.
    executor = runtime.init();
    const outputs = executor.blockOn(
      coroutine(function* () {
        const shared = spawn(Http.get("/50/shared"));
        const other = spawn(coroutine(() => wait(shared)));
        const mine = yield* wait(shared);
        return [body(mine), body(yield* wait(other))];
      }),
      { timeoutMs: 5000 },
    );
    expect(outputs).toEqual(["shared", "shared"]);
  });

  it("a task that awaits its own JoinHandle fails with SelfJoinError instead of waiting for ever", () => {
    executor = runtime.init();
    let thrown: unknown;
    executor.blockOn(
      coroutine(function* () {
        const self: { handle?: JoinHandle<string> } = {};
        self.handle = spawn(
          coroutine(function* () {
            yield* wait(Http.get("/0/first"));
            return yield* wait(self.handle as JoinHandle<string>);
          }),
        );
        try {
          yield* wait(self.handle);
        } catch (error) {
          thrown = error;
        }
      }),
      { timeoutMs: 5000 },
    );
    expect(thrown).toBeInstanceOf(TaskFailedError);
    expect((thrown as Error).cause).toBeInstanceOf(SelfJoinError);
    expect(String((thrown as Error).cause)).toMatch(
      /awaits its own JoinHandle, so it would wait for ever/,
    );
  });

  it("two tasks awaiting each other end in blockOn's DeadlineError, not a stack overflow as they are closed", () => {
    // Closing one closed the other through its handle, which closed the first again...
    executor = runtime.init();
    const handles: JoinHandle<string>[] = [];
    const awaitOther = (i: number) =>
      coroutine(function* () {
        yield* wait(Http.get("/0/first"));
        return yield* wait(handles[1 - i] as JoinHandle<string>);
      });
    expect(() =>
      executor.blockOn(
        coroutine(function* () {
          handles.push(spawn(awaitOther(0)), spawn(awaitOther(1)));
          return yield* wait(handles[0] as JoinHandle<string>);
        }),
        { timeoutMs: 300 },
      ),
    ).toThrow(DeadlineError);
    expect(body(executor.blockOn(Http.get("/0/after"), { timeoutMs: 5000 }))).toBe("after");
  });
});
