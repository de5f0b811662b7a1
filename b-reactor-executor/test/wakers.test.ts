import type { DelayServer } from "@ch08/delayserver";
import { Interest } from "@ch08/mio";
import { newThread, threadTable } from "@ch08/std";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asyncMain, type Future, Http, type PollState, runtime, Waker } from "../dist/index.js";
import {
  capture,
  EventFuture,
  EventSource,
  freshRuntime,
  startServer,
  waitUntil,
} from "./helpers/index.js";

// The executor polls only when a waker says so; the reactor wakes the waker stored for a
// token, and nobody once the token is gone; the stored waker is always the latest.

let server: DelayServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  runtime.shutdown();
  await server.close();
});

/** Wraps a future to record, at each poll, how many wakes the reactor had delivered. */
class Watched<T> implements Future<T> {
  readonly wakesAtPoll: number[] = [];
  constructor(private readonly inner: Future<T>) {}
  poll(waker: Waker): PollState<T> {
    this.wakesAtPoll.push(runtime.reactor().stats().wakes);
    return this.inner.poll(waker);
  }
}

describe("no busy polling", () => {
  it("polls the top-level future once at start, then only after a wake", () => {
    const executor = freshRuntime();
    const printed = capture();
    const future = new Watched(asyncMain(["/200/first", "/100/second"]));
    try {
      executor.blockOn(future, { timeoutMs: 10_000 });
    } finally {
      printed.release();
    }
    const { wakes, events, dropped } = runtime.reactor().stats();
    console.log(
      `asyncMain: polls ${executor.polls}, parks ${executor.parks}, wakes ${wakes}, ` +
        `events ${events}, dropped ${dropped}, wakes seen at each poll ${future.wakesAtPoll.join(",")}`,
    );
    expect(executor.polls).toBe(future.wakesAtPoll.length);
    expect(executor.polls).toBeLessThanOrEqual(1 + wakes);
    // Two requests: polled at start and at least once per response.
    expect(executor.polls).toBeGreaterThanOrEqual(3);
    // Every poll but the last one was followed by a park.
    expect(executor.parks).toBe(executor.polls - 1);
    // The first poll came before any wake. Each later poll follows a park that consumed
    // a wake no other park consumed (park resets the token), and a wake is counted before
    // it is delivered: by poll i, at least i wakes. (Not "one more wake per poll": a
    // wake that lands while the executor is already awake, e.g. the first response's FIN
    // arriving as an event of its own, makes the next park return at once.)
    expect(future.wakesAtPoll[0]).toBe(0);
    future.wakesAtPoll.forEach((seen, i) => {
      expect(seen).toBeGreaterThanOrEqual(i);
    });
  });
});

describe("a wake after deregistration", () => {
  it("is dropped by the reactor, and the thread's park token stays EMPTY", () => {
    runtime.init();
    const source = new EventSource();
    const victim = newThread(threadTable(), "victim");
    const waker = new Waker(victim, 0);
    try {
      // Control: with a waker stored, an event on the token unparks the thread.
      runtime.reactor().setWaker(waker, source.id);
      const before = runtime.reactor().stats();
      source.eventfd.wake();
      expect(victim.park(5000)).toBe(true);
      source.drain();
      expect(runtime.reactor().stats().wakes).toBe(before.wakes + 1);

      // Deregister (which forgets the waker), then watch the fd again without a waker:
      // the fd is still in epoll, its token no longer in the waker table.
      runtime.reactor().deregister(source.eventfd, source.id);
      runtime.reactor().register(source.eventfd, source.id, Interest.READABLE);
      const dropped = runtime.reactor().stats().dropped;
      source.eventfd.wake();
      expect(waitUntil(() => runtime.reactor().stats().dropped > dropped)).toBe(true);
      expect(runtime.reactor().stats().dropped).toBe(dropped + 1);
      expect(runtime.reactor().stats().wakes).toBe(before.wakes + 1);
      // park(0) consumes a pending unpark and says whether there was one: there was none.
      expect(victim.park(0)).toBe(false);
    } finally {
      source.close();
    }
  });
});

describe("the most recent waker", () => {
  it("is the one woken when a waker is replaced between polls (eventfd leaf)", () => {
    runtime.init();
    const a = newThread(threadTable(), "a");
    const b = newThread(threadTable(), "b");
    const future = new EventFuture(new EventSource());
    try {
      expect(future.poll(new Waker(a, 0)).ready).toBe(false);
      expect(future.poll(new Waker(b, 0)).ready).toBe(false);
      future.fire();
      expect(b.park(5000)).toBe(true);
      expect(a.park(0)).toBe(false);
      expect(future.poll(new Waker(b, 0)).ready).toBe(true);
    } finally {
      future.source.close();
    }
  });

  it("is the one woken when an HTTP leaf future is polled with A, then with B", () => {
    runtime.init();
    const a = newThread(threadTable(), "a");
    const b = newThread(threadTable(), "b");
    const wakerA = new Waker(a, 0);
    const wakerB = new Waker(b, 0);
    const printed = capture();
    const leaf = Http.get("/1500/replaced");
    try {
      expect(leaf.poll(wakerA).ready).toBe(false);
      // If the connection was still being set up, its writable event wakes A: poll again
      // with A until A stays asleep a while, so that what remains is the response itself.
      while (a.park(50)) expect(leaf.poll(wakerA).ready).toBe(false);
      expect(leaf.poll(wakerB).ready).toBe(false);
      // The response comes: the reactor wakes B (the waker stored last), not A.
      expect(b.park(5000)).toBe(true);
      expect(a.park(0)).toBe(false);
      let state = leaf.poll(wakerB);
      while (!state.ready && b.park(5000)) state = leaf.poll(wakerB);
      expect(state.ready).toBe(true);
      expect(a.park(0)).toBe(false);
    } finally {
      leaf.close();
      printed.release();
    }
    expect(leaf.response.text).toContain("replaced");
  });
});
