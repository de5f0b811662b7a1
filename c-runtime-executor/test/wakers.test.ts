import { capturePrintln } from "@ch08/http";
import { SharedQueue, TaskAbandonedError } from "@ch08/std";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DeadlineError,
  type Executor,
  type Future,
  type JoinHandle,
  NOT_READY,
  type PollState,
  ready,
  runtime,
  spawn,
  TaskFailedError,
  type Waker,
} from "../dist/index.js";
import { REACTOR, storedWaker } from "../dist/runtime/reactor.js";
import { silencePrintln } from "./helpers/server.js";

/** The running reactor's handle (what `spawnExecutorThread` hands its threads). */
const handle = () => REACTOR.handle();

let executor: Executor;
let printed: () => string;

beforeAll(() => {
  printed = silencePrintln();
  executor = runtime.init();
});

afterAll(() => {
  runtime.shutdown();
  capturePrintln(undefined);
});

/** A future driven by hand: ready once `done` is set; keeps the waker of its last poll. */
class Manual implements Future<string> {
  polls = 0;
  waker: Waker | undefined;
  done = false;

  poll(waker: Waker): PollState<string> {
    this.polls++;
    this.waker = waker;
    return this.done ? ready(`polled ${this.polls}×`) : NOT_READY;
  }
}

/** A future that runs `step(n)` on its n-th poll (from 1) and is ready when it returns true. */
function steps(step: (n: number, waker: Waker) => boolean): Future<string> & { polls: number } {
  return {
    polls: 0,
    poll(waker: Waker): PollState<string> {
      this.polls++;
      return step(this.polls, waker) ? ready("done") : NOT_READY;
    },
  };
}

describe("wakers", () => {
  it("a task woken twice before its executor drains the queue is polled once", () => {
    const target = new Manual();
    // Spawned after target, so polled after it in the same round: target's waker is stored.
    const wakeTwice = steps(() => {
      target.done = true;
      target.waker?.wake();
      target.waker?.wake();
      return true;
    });
    executor.blockOn(
      steps(() => {
        spawn(target);
        spawn(wakeTwice);
        return true;
      }),
      { timeoutMs: 5000 },
    );
    // Once at spawn, once for the two wakes.
    expect(target.polls).toBe(2);
  });

  it("a task that stays pending, woken twice in one round, is polled once in that round", () => {
    const target = new Manual();
    // Round 2 polls target (pending), then this: two wakes for target, one for itself.
    // Round 3 must poll target once; an executor without the per-round dedup polls it
    // twice there (it stays pending, so the second poll is not a no-op). Then target is
    // made ready and woken: round 4 polls it a last time.
    const wakeTwice = steps((n, waker) => {
      if (n === 1) {
        target.waker?.wake();
        target.waker?.wake();
        waker.wake();
        return false;
      }
      target.done = true;
      target.waker?.wake();
      return true;
    });
    executor.blockOn(
      steps(() => {
        spawn(target);
        spawn(wakeTwice);
        return true;
      }),
      { timeoutMs: 5000 },
    );
    expect(target.polls).toBe(3);
  });

  it("a wake for a finished task is a no-op", () => {
    const finished = new Manual();
    finished.done = true; // ready on its first poll
    const pollsBefore = executor.polls;
    executor.blockOn(
      steps((n, self) => {
        if (n === 1) {
          spawn(finished);
          self.wake(); // poll again after `finished` has run
          return false;
        }
        if (n === 2) {
          finished.waker?.wake();
          finished.waker?.wake();
          self.wake(); // once more, after the late wakes were drained
          return false;
        }
        return true;
      }),
      { timeoutMs: 5000 },
    );
    expect(finished.polls).toBe(1);
    // The top-level task: 3 polls; `finished`: 1. The two late wakes polled nothing.
    expect(executor.polls - pollsBefore).toBe(4);
  });

  it("wakes from inside the task's own poll poll it again, once", () => {
    const self = steps((n, waker) => {
      if (n < 3) {
        waker.wake();
        waker.wake();
        waker.wake();
        return false;
      }
      return true;
    });
    executor.blockOn(self, { timeoutMs: 5000 });
    expect(self.polls).toBe(3);
  });

  it("when more wakes arrive than the ready queue holds, every task is polled: none is lost", () => {
    const target = new Manual();
    const quiet = new Manual();
    // Wakes as the reactor thread sends them (by numbers, through the shared queue; a
    // Waker's own wake is local and has no bound). Polled after target and quiet stored
    // their wakers: fills this executor's shared queue, then wakes quiet, whose id finds
    // no room. The queue remembers that it overflowed and the executor polls every task once.
    const wakeStored = storedWaker(handle());
    const wakeAsReactor = (waker: Waker | undefined): void => {
      if (waker !== undefined) wakeStored(waker.thread.slot, waker.id);
    };
    const flooder = steps(() => {
      target.done = true;
      const { capacity } = new SharedQueue(handle().queues);
      for (let i = 0; i < capacity + 10; i++) wakeAsReactor(target.waker);
      quiet.done = true;
      wakeAsReactor(quiet.waker);
      return true;
    });
    executor.blockOn(
      steps(() => {
        spawn(target);
        spawn(quiet);
        spawn(flooder);
        return true;
      }),
      { timeoutMs: 5000 },
    );
    expect(quiet.polls).toBe(2);
    expect(target.polls).toBe(2);
  });

  it("late wakes of finished tasks poll nothing, whether they come from this thread or, by number, from the reactor", () => {
    const wakeStored = storedWaker(handle());
    const quick = new Manual();
    quick.done = true; // ready at its first poll: its waker was never given away
    const slow = new Manual(); // not ready once, then ready
    const late = steps((n, self) => {
      if (n === 1) {
        slow.done = true;
        slow.waker?.wake();
        self.wake();
        return false;
      }
      // Both finished in the round before: wake each both ways, then end.
      for (const waker of [quick.waker, slow.waker]) {
        if (waker === undefined) continue;
        waker.wake();
        wakeStored(waker.thread.slot, waker.id);
      }
      return true;
    });
    executor.blockOn(
      steps(() => {
        spawn(quick);
        spawn(slow);
        spawn(late);
        return true;
      }),
      { timeoutMs: 5000 },
    );
    expect(quick.polls).toBe(1);
    expect(slow.polls).toBe(2);
    expect(late.polls).toBe(2);
  });

  it("blockOn gives up at its deadline with a DeadlineError; the executor is usable after", () => {
    const never = new Manual();
    const started = performance.now();
    expect(() => executor.blockOn(never, { timeoutMs: 200 })).toThrow(DeadlineError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    // It parks until the deadline, then gives up without announcing another sleep.
    const parksBefore = executor.parks;
    const printedBefore = printed().length;
    expect(() => executor.blockOn(new Manual(), { timeoutMs: 50 })).toThrow(/gave up after 50 ms/);
    expect(executor.parks - parksBefore).toBe(1);
    expect(printed().slice(printedBefore)).toBe("main: 1 pending tasks. Sleep until notified.\n");
    // The abandoned tasks are gone: a late wake for one polls nothing.
    const pollsBefore = executor.polls;
    never.waker?.wake();
    const once = new Manual();
    once.done = true;
    expect(executor.blockOn(once, { timeoutMs: 1000 })).toBe("polled 1×");
    expect(executor.polls - pollsBefore).toBe(1);
  });

  it("a close() that throws as blockOn gives up neither hides its DeadlineError nor poisons the next blockOn", () => {
    // It used to end the give-up half-way: the DeadlineError was replaced by the close's
    // error, the other tasks stayed unclosed and counted live, and every later blockOn on
    // this thread waited for them and failed with the same close error.
    const closed: string[] = [];
    const holdsOn = (name: string, fails: boolean): Future<string> => ({
      poll: () => NOT_READY,
      close() {
        closed.push(name);
        if (fails) throw new Error(`${name} cannot close`);
      },
    });
    const top: Future<string> = {
      poll() {
        spawn(holdsOn("first", true));
        spawn(holdsOn("second", false));
        return NOT_READY;
      },
    };
    expect(() => executor.blockOn(top, { timeoutMs: 100 })).toThrow(DeadlineError);
    expect(closed.sort()).toEqual(["first", "second"]);
    const once = new Manual();
    once.done = true;
    const started = performance.now();
    expect(executor.blockOn(once, { timeoutMs: 1000 })).toBe("polled 1×");
    expect(performance.now() - started).toBeLessThan(100);
  });

  it("a JoinHandle of a task its blockOn gave up on raises TaskAbandonedError, where it waited for ever", () => {
    let handle: JoinHandle<string> | undefined;
    expect(() =>
      executor.blockOn(
        {
          poll() {
            handle ??= spawn(new Manual());
            return NOT_READY;
          },
        },
        { timeoutMs: 100 },
      ),
    ).toThrow(DeadlineError);
    const awaited = handle;
    if (awaited === undefined) throw new Error("the task was not spawned");
    let thrown: unknown;
    try {
      executor.blockOn(awaited, { timeoutMs: 1000 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TaskFailedError);
    expect((thrown as Error).cause).toBeInstanceOf(TaskAbandonedError);
    expect(String((thrown as Error).cause)).toMatch(
      /^TaskAbandonedError: task \d+ will never finish: the blockOn that ran it gave up/,
    );
  });
});
