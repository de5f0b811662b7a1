import { Worker } from "node:worker_threads";
import { capturePrintln } from "@ch08/http";
import { currentThread, threadTable } from "@ch08/std";
import { afterAll, describe, expect, it } from "vitest";
import {
  type Future,
  NOT_READY,
  type PollState,
  ready,
  runtime,
  type Waker,
} from "../dist/index.js";
import { capture, EventSource, freshRuntime } from "./helpers/index.js";

// A wake that comes while the executor is going to sleep must not be lost: the park
// token remembers an unpark that came before the park. Here a thousand wakes from the
// reactor thread race the executor's park. A lost one would leave the executor asleep
// with nobody left to wake it: the deadline turns that into a DeadlineError.

const ROUNDS = 1000;
/**
 * Normally well under a second; generous because on a loaded 2-core machine every round
 * trip waits for the scheduler. A lost wake still fails, with a DeadlineError.
 */
const DEADLINE_MS = 20_000;

afterAll(() => {
  runtime.shutdown();
});

/**
 * Owns an eventfd registered with the reactor. Each poll counts, drains (and re-arms)
 * the eventfd, stores the waker and — if `selfWake` — makes the eventfd readable itself, right before
 * returning NotReady: the reactor thread's wake then races this thread's park.
 */
class Ping implements Future<number> {
  polls = 0;
  constructor(
    readonly source: EventSource,
    private readonly rounds: number,
    private readonly selfWake: boolean,
  ) {}

  poll(waker: Waker): PollState<number> {
    this.polls++;
    // Each poll after the first must come from a wake (counted before it is delivered):
    // a park that merely timed out must not count as a round.
    const { wakes } = runtime.reactor().stats();
    if (wakes < this.polls - 1) {
      throw new Error(`poll ${this.polls} came without a wake (${wakes} wakes so far)`);
    }
    if (this.polls === this.rounds) return ready(this.polls);
    this.source.drain();
    runtime.reactor().setWaker(waker, this.source.id);
    if (this.selfWake) this.source.eventfd.wake();
    return NOT_READY;
  }
}

describe("no wake-up is lost", () => {
  it(`${ROUNDS} wakes from the reactor thread racing the executor's park`, () => {
    const executor = freshRuntime();
    const ping = new Ping(new EventSource(), ROUNDS, true);
    // The executor prints its "Sleep until notified" line right before it parks: look at
    // its park token then, to see which way each race went.
    const tokens = threadTable();
    const slot = currentThread().slot;
    let early = 0;
    capturePrintln(() => {
      if (Atomics.load(tokens, slot) === 1) early++;
    });
    try {
      expect(executor.blockOn(ping, { timeoutMs: DEADLINE_MS })).toBe(ROUNDS);
    } finally {
      capturePrintln(undefined);
      ping.source.close();
    }
    console.log(`self-wake: ${early} of ${ROUNDS - 1} wakes came before the park`);
    const stats = runtime.reactor().stats();
    console.log(
      `self-wake: ${ROUNDS} polls, ${executor.parks} parks, reactor: ${stats.waits} waits, ` +
        `${stats.events} events, ${stats.wakes} wakes, ${stats.dropped} dropped`,
    );
    // One event and one wake per round: the next round's wake is sent only after the
    // executor was woken for this one, so none can be merged with another.
    expect({
      polls: executor.polls,
      parks: executor.parks,
      waits: stats.waits,
      events: stats.events,
      wakes: stats.wakes,
      dropped: stats.dropped,
    }).toEqual({
      polls: ROUNDS,
      parks: ROUNDS - 1,
      waits: ROUNDS - 1,
      events: ROUNDS - 1,
      wakes: ROUNDS - 1,
      dropped: 0,
    });
  });

  it(`${ROUNDS} polls while another thread hammers the eventfd with wakes`, async () => {
    const executor = freshRuntime();
    const ping = new Ping(new EventSource(), ROUNDS, false);
    const control = new Int32Array(new SharedArrayBuffer(8));
    const hammer = new Worker(new URL("./helpers/hammer.mjs", import.meta.url), {
      workerData: { waker: ping.source.eventfd.handle(), control: control.buffer, limit: 1e8 },
    });
    let failure: Error | undefined;
    hammer.on("error", (error) => {
      failure = error;
    });
    const exited = new Promise<void>((resolve) => hammer.once("exit", () => resolve()));
    const printed = capture();
    try {
      expect(executor.blockOn(ping, { timeoutMs: DEADLINE_MS })).toBe(ROUNDS);
    } finally {
      printed.release();
      Atomics.store(control, 0, 1);
      const timer = setTimeout(() => void hammer.terminate(), 5000);
      await exited;
      clearTimeout(timer);
      ping.source.close();
    }
    expect(failure).toBeUndefined();
    const sent = Atomics.load(control, 1);
    const stats = runtime.reactor().stats();
    console.log(
      `hammer: ${sent} wakes sent, ${ROUNDS} polls, ${executor.parks} parks, reactor: ` +
        `${stats.waits} waits, ${stats.events} events, ${stats.wakes} wakes, ${stats.dropped} dropped`,
    );
    expect(executor.polls).toBe(ROUNDS);
    // Many wakes merge into one unpark (the token is one bit), none is needed twice:
    // never more polls than wakes, plus the first one.
    expect(executor.polls).toBeLessThanOrEqual(1 + stats.wakes);
    expect(sent).toBeGreaterThanOrEqual(stats.events);
  });
});
