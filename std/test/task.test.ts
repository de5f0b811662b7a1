import { describe, expect, it } from "vitest";
import {
  abandonTasks,
  type Joinable,
  JoinHandle,
  SelfJoinError,
  TaskAbandonedError,
  TaskFailedError,
  takeOutcome,
} from "../dist/index.js";

// Joining a task: what a JoinHandle tells its awaiting task, and which failures
// `takeOutcome` reports as nobody's. The tasks here are plain records, as an executor
// keeps them; stage c's spawn.test.ts and failures.test.ts join real tasks.

function task(id: number): Joinable & { closed: number } {
  const record = {
    id,
    closed: 0,
    future: { close: () => record.closed++ },
  };
  return record;
}

describe("JoinHandle", () => {
  it("is pending, keeping the joiner's waker, until the task has an outcome; then ready with it", () => {
    const joined = task(7);
    const handle = new JoinHandle<string>(joined);
    let woken = 0;
    const waker = { wake: () => woken++ };
    expect(handle.id).toBe(7);
    expect(handle.poll(waker)).toEqual({ ready: false });
    expect(joined.joiner).toBe(waker);
    joined.outcome = { ok: true, value: "done" };
    expect(handle.poll(waker)).toEqual({ ready: true, value: "done" });
    expect(joined.observed).toBe(true);
    expect(woken).toBe(0); // waking the joiner is the executor's part, when the task ends
  });

  it("throws TaskFailedError with the task's id and error, and marks the failure seen", () => {
    const joined = task(3);
    joined.outcome = { ok: false, error: new Error("boom") };
    const handle = new JoinHandle<string>(joined);
    expect(() => handle.poll({ wake() {} })).toThrow(TaskFailedError);
    expect(() => handle.poll({ wake() {} })).toThrow(/^task 3 failed: boom$/);
    expect(joined.observed).toBe(true);
  });

  it("says what was thrown when it is no Error, instead of 'undefined' or '[object Object]'", () => {
    for (const [thrown, text] of [
      [undefined, "it threw undefined, which is not an Error"],
      [{ code: 7 }, 'it threw {"code":7}, which is not an Error'],
      [42, "it threw 42, which is not an Error"],
      ["plain words", "plain words"],
    ] as const) {
      const joined = task(4);
      joined.outcome = { ok: false, error: thrown };
      expect(() => new JoinHandle(joined).poll({ wake() {} })).toThrow(`task 4 failed: ${text}`);
    }
  });

  it("close releases the joined task's future", () => {
    const joined = task(1);
    new JoinHandle(joined).close();
    expect(joined.closed).toBe(1);
  });
});

describe("takeOutcome", () => {
  it("returns the top-level task's value, and reports only the failures nobody saw", () => {
    const main = task(1);
    main.outcome = { ok: true, value: 42 };
    const seen = task(2);
    seen.outcome = { ok: false, error: new Error("joined") };
    seen.observed = true;
    const unseen = task(3);
    unseen.outcome = { ok: false, error: "nobody joined" };
    const failed = [seen, unseen];
    const unjoined: TaskFailedError[] = [];
    expect(takeOutcome<number>("test", main, failed, unjoined)).toBe(42);
    expect(unjoined.map((e) => e.taskId)).toEqual([3]);
    expect(failed).toEqual([]); // taken, so the next blockOn starts afresh
  });

  it("throws TaskFailedError when the top-level task failed, without calling it unjoined", () => {
    const main = task(5);
    main.outcome = { ok: false, error: new Error("top") };
    const unjoined: TaskFailedError[] = [];
    expect(() => takeOutcome("test", main, [main], unjoined)).toThrow(/^task 5 failed: top$/);
    expect(unjoined).toEqual([]);
  });
});

describe("abandonTasks: the tasks of a blockOn that gives up", () => {
  it("closes every one, even past a close that throws, and their handles say they were abandoned", () => {
    const first = task(1);
    const failing = task(2);
    failing.future.close = () => {
      throw new Error("cannot close");
    };
    const last = task(3);
    abandonTasks("test", [first, failing, last]);
    expect([first.closed, last.closed]).toEqual([1, 1]);
    const handle = new JoinHandle<string>(last);
    expect(() => handle.poll({ wake() {} })).toThrow(TaskAbandonedError);
    expect(() => handle.poll({ wake() {} })).toThrow(
      /^task 3 will never finish: the blockOn that ran it gave up/,
    );
  });
});

describe("JoinHandle awaited by more than one task", () => {
  it("keeps every distinct waker, so the task's end wakes each; a task awaiting itself is refused", () => {
    const joined = task(4);
    const handle = new JoinHandle<string>(joined);
    const woken: string[] = [];
    const first = { wake: () => woken.push("first") };
    const second = { wake: () => woken.push("second") };
    handle.poll(first);
    handle.poll(second);
    handle.poll(first);
    joined.joiner?.wake();
    expect(woken).toEqual(["first", "second"]);
    const self = Object.assign(task(5), { wake() {} });
    expect(() => new JoinHandle<string>(self).poll(self)).toThrow(SelfJoinError);
  });
});
