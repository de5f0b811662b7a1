import { Worker } from "node:worker_threads";
import { capturePrintln } from "@ch08/http";
import { Waker as MioWaker, Registry, Token } from "@ch08/mio";
import { currentThread } from "@ch08/std";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Executor,
  type Future,
  NOT_READY,
  type PollState,
  reactor,
  ready,
  runtime,
  type Waker,
} from "../dist/index.js";
import { REACTOR } from "../dist/runtime/reactor.js";
import { silencePrintln } from "./helpers/server.js";

/** The running reactor's handle (what `spawnExecutorThread` hands its threads). */
const handle = () => REACTOR.handle();

let executor: Executor;

beforeAll(() => {
  silencePrintln();
  executor = runtime.init();
});

afterAll(() => {
  runtime.shutdown();
  capturePrintln(undefined);
});

const ROUNDS = 1000;
/** The longest random pause between "queue empty" and "park" (ms). */
const LINGER_MS = 0.5;

/**
 * The executor prints "… pending tasks. Sleep until notified." after it found its ready
 * queue empty and right before it parks. This catches that line, bumps `announce` (a
 * cell another thread can watch), and lingers a random 0–0.5 ms, so that a wake sent
 * now lands in the window where a careless park loses it: after the last look at the
 * queue, before the sleep. Returns how many wakes did land there (the park token was
 * already set when the pause ended).
 */
function lingerBeforePark(announce?: { cells: Int32Array; index: number }): () => number {
  const tokens = new Int32Array(handle().threads);
  const slot = currentThread().slot;
  let early = 0;
  capturePrintln((line) => {
    if (!line.includes("Sleep until notified")) return;
    if (announce !== undefined) Atomics.add(announce.cells, announce.index, 1);
    const until = performance.now() + Math.random() * LINGER_MS;
    while (performance.now() < until) Atomics.load(tokens, slot);
    if (Atomics.load(tokens, slot) !== 0) early++;
  });
  return () => early;
}

describe("a wake racing with park is never lost", () => {
  it(`${ROUNDS} self-wakes through an eventfd the reactor thread watches`, () => {
    // The task wakes itself the long way round: write the eventfd and return NotReady;
    // the reactor thread sees the event and wakes the task while its executor is on
    // its way to park, or parked.
    const token = reactor().nextId();
    const eventfd = new MioWaker(Registry.fromHandle(handle().poll), Token(token));
    const wakesBefore = reactor().stats().wakes;
    const parksBefore = executor.parks;
    const early = lingerBeforePark();
    const task: Future<number> & { polls: number } = {
      polls: 0,
      poll(waker: Waker): PollState<number> {
        this.polls++;
        if (this.polls > ROUNDS) return ready(this.polls);
        eventfd.reset();
        reactor().setWaker(waker, token); // before the wake, so the reactor finds it
        eventfd.wake();
        return NOT_READY;
      },
    };
    try {
      expect(executor.blockOn(task, { timeoutMs: 10_000 })).toBe(ROUNDS + 1);
    } finally {
      silencePrintln();
      reactor().deregister(eventfd, token);
      eventfd.close();
    }
    expect(reactor().stats().wakes - wakesBefore).toBe(ROUNDS);
    // A wake that came back while the executor was still draining its queue saved a park.
    const parks = executor.parks - parksBefore;
    expect(parks).toBeLessThanOrEqual(ROUNDS);
    console.log(
      `eventfd self-wakes: ${ROUNDS} round trips, ${parks} parks, ${early()} wakes between "queue empty" and park`,
    );
  });

  it(`${ROUNDS} wakes from another thread, each sent as this executor goes to park`, async () => {
    // [polls that counted a wake, thread slot, task id, "about to park" announcements,
    //  the wake after which the worker saw the executor stuck]
    const cells = new Int32Array(new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT));
    const early = lingerBeforePark({ cells, index: 3 });
    const worker = new Worker(new URL("./helpers/waker-worker.mjs", import.meta.url), {
      workerData: { handle: handle(), shared: cells.buffer, rounds: ROUNDS },
    });
    let failure: Error | undefined;
    worker.on("error", (error) => {
      failure = error;
    });
    const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
    const task: Future<number> = {
      poll(waker: Waker): PollState<number> {
        if (Atomics.load(cells, 1) === 0) {
          Atomics.store(cells, 2, waker.id);
          Atomics.store(cells, 1, waker.thread.slot);
          Atomics.notify(cells, 1);
          return NOT_READY;
        }
        const stuck = Atomics.load(cells, 4);
        if (stuck !== 0)
          throw new Error(`a wake was lost: the executor stayed parked after wake ${stuck}`);
        // Every wake the worker sent so far has come through: count it.
        const seen = Atomics.add(cells, 0, 1) + 1;
        return seen >= ROUNDS ? ready(seen) : NOT_READY;
      },
    };
    const parksBefore = executor.parks;
    try {
      // A backstop: the worker catches a lost wake within a round (and ends the wait).
      expect(executor.blockOn(task, { timeoutMs: 60_000 })).toBe(ROUNDS);
    } finally {
      silencePrintln();
      // Never leave the worker spinning if the executor gave up.
      Atomics.store(cells, 0, ROUNDS);
      Atomics.store(cells, 3, 2 * ROUNDS);
    }
    const timer = setTimeout(() => void worker.terminate(), 5000);
    expect(await exited).toBe(0);
    clearTimeout(timer);
    expect(failure).toBeUndefined();
    console.log(
      `cross-thread wakes: ${ROUNDS} round trips, ${executor.parks - parksBefore} parks, ${early()} wakes between "queue empty" and park`,
    );
  });
});
