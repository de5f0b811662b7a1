import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  createThreadTable,
  JoinTimeoutError,
  newThread,
  SpawnTargetError,
  spawn,
  ThreadFailedError,
  ThreadState,
  useThreadTable,
} from "../dist/index.js";

// Rust's thread::spawn, for threads that cannot share a closure: a module's export.

const threads = new URL("./helpers/threads.mjs", import.meta.url);

describe("spawn, for a module with a prebuilt bundle beside it (<module>.thread.cjs)", () => {
  const prebuilt = new URL("./helpers/prebuilt.js", import.meta.url);
  const marked = (options: { runWith?: { module: URL; exportName: string } }): number => {
    const cells = new Int32Array(new SharedArrayBuffer(4));
    spawn(prebuilt, "mark", { name: "prebuilt", args: [cells.buffer], ...options }).join(10_000);
    return Atomics.load(cells, 0);
  };

  it("starts the thread from the bundle", () => {
    expect(marked({})).toBe(2);
  });

  it("starts a thread with a runWith wrapper from the module's files: the wrapper is one too", () => {
    expect(marked({ runWith: { module: prebuilt, exportName: "callTarget" } })).toBe(1);
  });
});

describe("spawn", () => {
  it("runs the named export with its arguments, and join returns once it has", () => {
    const tokens = new Int32Array(createThreadTable());
    const me = newThread(tokens, "main");
    const thread = spawn(threads, "unparkLater", {
      name: "helper",
      args: [tokens.buffer, me.slot, 0],
    });
    thread.join(10_000);
    expect(thread.status).toBe(ThreadState.FINISHED);
    expect(me.park(0)).toBe(true);
  });

  it("a missing export fails the thread with SpawnTargetError on its stderr", () => {
    const thread = spawn(threads, "noSuchExport", { name: "missing" });
    expect(() => thread.join(10_000)).toThrow(ThreadFailedError);
    expect(thread.status).toBe(ThreadState.FAILED);
    expect(new SpawnTargetError("m.js", "f")).toBeInstanceOf(Error);
  });

  it("arguments that cannot cross threads are refused in words, and no thread starts", () => {
    // Before: node's bare "DataCloneError: () => 1 could not be cloned."
    expect(() => spawn(threads, "unparkLater", { name: "clone", args: [() => 1] })).toThrow(
      /^spawn clone: the arguments cannot be copied to another thread \(.*could not be cloned.*\); pass numbers/,
    );
  });

  it("a thread that throws fails: join raises ThreadFailedError", () => {
    const thread = spawn(threads, "fail", { name: "failing" });
    expect(() => thread.join(10_000)).toThrow(ThreadFailedError);
  });

  it("a module that cannot load fails the thread and unparks every parked thread", () => {
    const buffer = createThreadTable();
    const me = newThread(useThreadTable(buffer), "main");
    const thread = spawn(new URL("./helpers/broken.mjs", import.meta.url), "run", {
      name: "broken",
    });
    // Parked with nothing else to wake it: only the failing thread's entry can.
    expect(me.park(20_000)).toBe(true);
    expect(() => thread.join(10_000)).toThrow(ThreadFailedError);
  });

  it("join gives up with JoinTimeoutError; terminate then ends the thread", async () => {
    const thread = spawn(threads, "forever", { name: "forever" });
    expect(() => thread.join(50)).toThrow(JoinTimeoutError);
    expect(thread.waitUntilLoaded(10_000)).toBe(true);
    expect(thread.status).toBe(ThreadState.RUNNING);
    expect(await thread.terminate()).toBe(1);
  });

  it("starting thread after thread adds one exit hook, not one per thread", () => {
    // The hook that lets loading threads finish before exit was added anew on every start
    // once the earlier ones had loaded: ten runtimes in a row made Node warn of a leak.
    const hooks = () => process.listenerCount("exit");
    const tokens = new Int32Array(createThreadTable());
    const me = newThread(tokens, "main");
    const before = hooks();
    for (let i = 0; i < 12; i++) {
      const thread = spawn(threads, "unparkLater", {
        name: `t${i}`,
        args: [tokens.buffer, me.slot, 0],
      });
      thread.join(10_000);
    }
    expect(hooks()).toBeLessThanOrEqual(before + 1);
  });

  it("starts from a one-liner run as `node --input-type=module -e` (workers refuse the flag)", () => {
    // Before: the worker failed as it booted, and the thread never started.
    const code =
      `import { createThreadTable, newThread, spawn } from ${JSON.stringify(String(new URL("../dist/index.js", import.meta.url)))};` +
      "const tokens = new Int32Array(createThreadTable()); const me = newThread(tokens, 'main');" +
      `spawn(${JSON.stringify(String(threads))}, "unparkLater", { name: "helper", args: [tokens.buffer, me.slot, 0] }).join(10000);` +
      "console.log('joined');";
    for (const flag of [["--input-type=module"], ["--input-type", "module"]]) {
      const run = spawnSync(process.execPath, [...flag, "-e", code], {
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(`${run.stdout}${run.stderr}`.trim()).toBe("joined");
    }
  });

  it("still inherits the options a worker takes only inherited (--expose-gc, --max-old-space-size)", () => {
    // Passed to a worker explicitly, Node refuses them (ERR_WORKER_INVALID_EXEC_ARGV):
    // only a one-liner's --input-type is a reason to pass the options at all.
    const code =
      `import(${JSON.stringify(String(new URL("../dist/index.js", import.meta.url)))}).then(({ createThreadTable, newThread, spawn }) => {` +
      "const tokens = new Int32Array(createThreadTable()); const me = newThread(tokens, 'main');" +
      `spawn(${JSON.stringify(String(threads))}, "unparkLater", { name: "helper", args: [tokens.buffer, me.slot, 0] }).join(10000);` +
      "console.log('joined'); });";
    const run = spawnSync(
      process.execPath,
      ["--expose-gc", "--max-old-space-size=200", "-e", code],
      { encoding: "utf8", timeout: 20_000 },
    );
    expect(`${run.stdout}${run.stderr}`.trim()).toBe("joined");
  });

  it("using ends a thread still running when the scope exits", async () => {
    let worker: { once(event: "exit", listener: (code: number) => void): unknown } | undefined;
    let exited: Promise<number> | undefined;
    {
      using thread = spawn(threads, "forever", { name: "scoped" });
      worker = thread.worker;
      exited = new Promise<number>((resolve) => thread.worker.once("exit", resolve));
    }
    expect(worker).toBeDefined();
    expect(await exited).toBe(1);
  });
});
