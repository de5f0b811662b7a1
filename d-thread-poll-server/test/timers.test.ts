import { Waker as MioWaker } from "@ch08/mio";
import { afterEach, describe, expect, it } from "vitest";
import { coroutine, type Future, NOT_READY, type PollState, ready, wait } from "../dist/future.js";
import { initSingleThreaded, type SingleThreaded } from "../dist/runtime/local.js";
import {
  TIMER_INBOX_CAPACITY,
  TIMERS_PER_WAKE,
  TimerHeap,
  TimerInbox,
} from "../dist/runtime/timers.js";
import * as runtime from "../dist/runtime.js";
import { sleep } from "../dist/sleep.js";
import { silencePrintln } from "./helpers/println.js";

describe("TimerHeap: the reactor's deadlines", () => {
  it("gives deadlines back earliest first, however they were added", () => {
    const heap = new TimerHeap();
    const deadlines = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) + 0.5);
    deadlines.forEach((deadline, token) => {
      heap.push(deadline, token);
    });
    const fired: number[] = [];
    heap.expire(Number.POSITIVE_INFINITY, (token) => fired.push(deadlines[token] ?? -1));
    expect(fired).toEqual([...deadlines].sort((a, b) => a - b));
    expect(heap.size).toBe(0);
  });

  it("fires only what is due, and says when the next one is", () => {
    const heap = new TimerHeap();
    heap.push(30, 3);
    heap.push(10, 1);
    heap.push(20, 2);
    const fired: number[] = [];
    heap.expire(20, (token) => fired.push(token));
    expect(fired).toEqual([1, 2]);
    expect(heap.next()).toBe(30);
    expect(new TimerHeap().next()).toBe(Number.POSITIVE_INFINITY);
  });

  it("fires at most `limit` due timers a call, earliest first, and keeps the rest due", () => {
    const heap = new TimerHeap();
    for (let token = 9; token >= 0; token--) heap.push(token, token);
    const fired: number[] = [];
    heap.expire(100, (token) => fired.push(token), 4);
    expect(fired).toEqual([0, 1, 2, 3]);
    expect(heap.next()).toBe(4);
    heap.expire(100, (token) => fired.push(token), 4);
    heap.expire(100, (token) => fired.push(token), 4);
    expect(fired).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(heap.size).toBe(0);
  });
});

describe("TimerInbox: deadlines on their way to the polling thread", () => {
  it("a full inbox makes the pusher wake the polling thread and wait for its drain: no timer is lost", () => {
    const inbox = TimerInbox.create();
    const heap = new TimerHeap();
    const never = (): void => {
      throw new Error("woken while the inbox had room");
    };
    for (let token = 0; token < TIMER_INBOX_CAPACITY; token++) inbox.push(token, token, never);
    let wakes = 0;
    // The polling thread's part, done here when woken: drain, then sleep with no deadline.
    const pollerDrains = (): void => {
      wakes++;
      inbox.drainAndSleepUntil(heap, () => Number.POSITIVE_INFINITY);
    };
    // Before the fix this threw "more than 16384 timers queued", and the server closed
    // the connection whose answer it was, as if the client had reset it.
    inbox.push(TIMER_INBOX_CAPACITY, TIMER_INBOX_CAPACITY, pollerDrains);
    expect(wakes).toBe(1);
    expect(inbox.fullWaits).toBe(1);
    inbox.drainAndSleepUntil(heap, () => Number.POSITIVE_INFINITY);
    const fired: number[] = [];
    heap.expire(Number.POSITIVE_INFINITY, (token) => fired.push(token));
    expect(fired).toEqual(Array.from({ length: TIMER_INBOX_CAPACITY + 1 }, (_, i) => i));
  });
});

/** A future made ready by `raise`, which wakes whoever waits on it with its own Waker. */
class Signal implements Future<void> {
  #raised = false;
  #waker: runtime.Waker | undefined;

  poll(waker: runtime.Waker): PollState<void> {
    if (this.#raised) return ready(undefined);
    this.#waker = waker;
    return NOT_READY;
  }

  raise(): void {
    this.#raised = true;
    this.#waker?.wake();
  }
}

describe("sleep on the single-threaded runtime", () => {
  let rt: SingleThreaded | undefined;
  afterEach(() => {
    rt?.close();
    rt = undefined;
  });

  it("is never ready early, and the executor waits in epoll_wait until the deadline, not in a busy loop", () => {
    rt = initSingleThreaded({ verbose: false });
    const started = performance.now();
    rt.executor.blockOn(
      coroutine(function* () {
        yield* wait(sleep(120));
      }),
      { timeoutMs: 5000 },
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(120);
    // One wait to the deadline (a second at most, if epoll_wait's millisecond rounding woke it a hair early).
    expect(rt.reactor.stats().waits).toBeLessThanOrEqual(2);
  });

  it("many sleeps, spawned in any order, finish in deadline order", () => {
    rt = initSingleThreaded({ verbose: false });
    const order: number[] = [];
    const delays = [90, 10, 50, 30, 70, 0, 20];
    rt.executor.blockOn(
      coroutine(function* () {
        const handles = delays.map((ms) =>
          runtime.spawn(
            coroutine(function* () {
              yield* wait(sleep(ms));
              order.push(ms);
            }),
          ),
        );
        for (const handle of handles) yield* wait(handle);
      }),
      { timeoutMs: 5000 },
    );
    expect(order).toEqual([...delays].sort((a, b) => a - b));
  });

  it("sees every wake made on its own thread: its reactor's timer, a task's, one inside its wait", () => {
    const local = initSingleThreaded({ verbose: false });
    rt = local;
    // A Waker is woken on its own thread into a plain array, with no unpark; the reactor's
    // wakes come by number through the shared queue. Both must end a wait in epoll_wait
    // or be seen after it, or blockOn runs into its deadline.
    const byTask = new Signal();
    const inWait = new Signal();
    const pollWaker = MioWaker.fromHandle(local.reactor.handle.stopWaker);
    local.reactor.onForeignWake = () => inWait.raise();
    const order: string[] = [];
    local.executor.blockOn(
      coroutine(function* () {
        const sleeper = runtime.spawn(
          coroutine(function* () {
            yield* wait(sleep(30));
            order.push("timer");
            byTask.raise();
          }),
        );
        const signalled = runtime.spawn(
          coroutine(function* () {
            yield* wait(byTask);
            order.push("task");
            // Wakes this thread's Poll: the executor's next wait returns, and the hook's
            // wake is made inside that wait, on this thread.
            pollWaker.wake();
            yield* wait(inWait);
            order.push("wait");
          }),
        );
        yield* wait(sleeper);
        yield* wait(signalled);
      }),
      { timeoutMs: 5000 },
    );
    expect(order).toEqual(["timer", "task", "wait"]);
    expect(local.reactor.stats().wakes).toBeGreaterThanOrEqual(1);
  });

  it("hands out due timers a batch a wake-up, so a wake that came meanwhile is not kept waiting behind all of them", () => {
    const local = initSingleThreaded({ verbose: false });
    rt = local;
    const sleepers = 4 * TIMERS_PER_WAKE;
    const woken = new Signal();
    const pollWaker = MioWaker.fromHandle(local.reactor.handle.stopWaker);
    // Another source of events (here the Poll's own waker, as another thread would use
    // it): its event is read in the executor's next wait.
    local.reactor.onForeignWake = () => woken.raise();
    const order: string[] = [];
    local.executor.blockOn(
      coroutine(function* () {
        const handles = Array.from({ length: sleepers }, () =>
          runtime.spawn(
            coroutine(function* () {
              yield* wait(sleep(20));
              if (order.length === 0) pollWaker.wake();
              order.push("timer");
            }),
          ),
        );
        const other = runtime.spawn(
          coroutine(function* () {
            yield* wait(woken);
            order.push("event");
          }),
        );
        // Polled after the sleepers: holds the thread until every sleep is due, so the
        // executor's first wait finds all of them due at once.
        const hog = runtime.spawn({
          poll: () => {
            const until = performance.now() + 40;
            while (performance.now() < until) {}
            return ready(undefined);
          },
        });
        for (const handle of handles) yield* wait(handle);
        yield* wait(hog);
        yield* wait(other);
      }),
      { timeoutMs: 5000 },
    );
    expect(order).toHaveLength(sleepers + 1);
    // The first batch, then the event, then the rest: not after all the timers.
    expect(order.indexOf("event")).toBe(TIMERS_PER_WAKE);
  });

  it("rejects a negative or non-finite delay with a RangeError that says what it takes", () => {
    expect(() => sleep(-1)).toThrow(/milliseconds >= 0/);
    expect(() => sleep(Number.NaN)).toThrow(RangeError);
  });
});

describe("sleep on the reactor thread's runtime (timers in the polling thread's heap)", () => {
  afterEach(() => runtime.shutdown());

  it("wakes each task at its deadline, from the reactor thread", () => {
    silencePrintln();
    const executor = runtime.init({ verbose: false });
    const finished: Array<[number, number]> = [];
    const started = performance.now();
    executor.blockOn(
      coroutine(function* () {
        const handles = [80, 20, 50].map((ms) =>
          runtime.spawn(
            coroutine(function* () {
              yield* wait(sleep(ms));
              finished.push([ms, performance.now() - started]);
            }),
          ),
        );
        for (const handle of handles) yield* wait(handle);
      }),
      { timeoutMs: 5000 },
    );
    expect(finished.map(([ms]) => ms)).toEqual([20, 50, 80]);
    for (const [ms, at] of finished) expect(at).toBeGreaterThanOrEqual(ms);
    expect(runtime.reactor().stats().dropped).toBe(0);
  });
});

describe("one single-threaded runtime per thread at a time", () => {
  afterEach(() => runtime.shutdown());

  // Its reactor takes every registration made on the thread: a second runtime, or the
  // reactor thread's executor, would wait for wakes that go to the other one (both hung).
  it("a second one, or init(), while one is open is refused; after close() either runs", () => {
    const first = initSingleThreaded({ verbose: false });
    try {
      expect(() => initSingleThreaded({ verbose: false })).toThrow(
        /^initSingleThreaded: this thread has a single-threaded runtime open.*close\(\) it first/,
      );
      expect(() => runtime.init({ verbose: false })).toThrow(/^init: this thread has a single/);
      expect(first.executor.blockOn(sleep(20), { timeoutMs: 5000 })).toBeUndefined();
    } finally {
      first.close();
    }
    const second = initSingleThreaded({ verbose: false });
    try {
      expect(second.executor.blockOn(sleep(20), { timeoutMs: 5000 })).toBeUndefined();
    } finally {
      second.close();
    }
    expect(
      runtime.init({ verbose: false }).blockOn(sleep(20), { timeoutMs: 5000 }),
    ).toBeUndefined();
  });

  it("once a runtime has ended on this thread, spawn and blockOn say they are outside one", () => {
    runtime.init({ verbose: false });
    runtime.shutdown();
    expect(() => runtime.spawn(sleep(1))).toThrow(/^called outside a runtime/);
    const single = initSingleThreaded({ verbose: false });
    single.close();
    // Before, the closed runtime's epoll_wait failed with a bare EBADF.
    expect(() => single.executor.blockOn(sleep(1), { timeoutMs: 1000 })).toThrow(
      /^called outside a runtime/,
    );
  });

  it("on a thread that runs on the process's reactor, a single-threaded runtime is refused until shutdown", () => {
    const executor = runtime.init({ verbose: false });
    expect(() => initSingleThreaded({ verbose: false })).toThrow(
      /^initSingleThreaded: this thread runs on the process's reactor.*runtime\.shutdown\(\) first/,
    );
    // Refused before it took the thread's park slot and queues: the executor still runs.
    expect(executor.blockOn(sleep(20), { timeoutMs: 5000 })).toBeUndefined();
    runtime.shutdown();
    const single = initSingleThreaded({ verbose: false });
    try {
      // An executor of the reactor that is gone would park for wakes that never come.
      expect(() => executor.blockOn(sleep(20), { timeoutMs: 5000 })).toThrow(
        /^blockOn: this thread has a single-threaded runtime open/,
      );
      expect(single.executor.blockOn(sleep(20), { timeoutMs: 5000 })).toBeUndefined();
    } finally {
      single.close();
    }
  });
});
