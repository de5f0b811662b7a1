import { Worker } from "node:worker_threads";
import koffi from "koffi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Events, Poll, Token, Waker } from "../src/index.js";
import { interruptionCount } from "../src/sys/selector.js";
import { BACKENDS } from "./helpers/client.js";
import { startServer, type TestServer } from "./helpers/server.js";

type Message = Record<string, unknown>;

/** A worker running test/helpers/poll-worker.mjs, with its messages as a queue. */
class Helper {
  readonly control = new Int32Array(new SharedArrayBuffer(8));
  private readonly worker: Worker;
  private readonly inbox: Message[] = [];
  private waiting: ((m: Message) => void) | undefined;
  private failure: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(job: string, data: Record<string, unknown>) {
    this.worker = new Worker(new URL("./helpers/poll-worker.mjs", import.meta.url), {
      workerData: { job, control: this.control.buffer, ...data },
    });
    this.worker.on("message", (m: Message) => {
      const resolve = this.waiting;
      this.waiting = undefined;
      if (resolve) resolve(m);
      else this.inbox.push(m);
    });
    this.worker.on("error", (err) => {
      this.failure = err;
    });
    // Listen from the start: a worker that finishes its job may exit before exit() runs.
    this.exited = new Promise((resolve) => this.worker.once("exit", () => resolve()));
  }

  /** The next message, or a failure after `ms` (a test must not hang). */
  next(ms = 5000): Promise<Message> {
    if (this.failure) return Promise.reject(this.failure);
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message from worker in ${ms} ms`)), ms);
      this.waiting = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
    });
  }

  /** Sets the "go" flag the worker may be waiting on. */
  go(): void {
    Atomics.store(this.control, 0, 1);
    Atomics.notify(this.control, 0);
  }

  /** Resolves when the worker has exited (terminating it if it lingers past 3 s). */
  async exit(): Promise<void> {
    const timer = setTimeout(() => void this.worker.terminate(), 3000);
    await this.exited;
    clearTimeout(timer);
  }
}

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

describe.each(BACKENDS)("threads on %s", (backend) => {
  it("a Waker on this thread wakes a worker blocked in poll(events, null)", async () => {
    const poll = new Poll({ backend });
    const waker = new Waker(poll.registry(), Token(42));
    const helper = new Helper("block-in-poll", { poll: poll.handle() });
    try {
      expect(await helper.next()).toEqual({ ready: true });
      // Give the worker time to really enter the wait, then wake it.
      await new Promise((resolve) => setTimeout(resolve, 50));
      Waker.fromHandle(waker.handle()).wake();
      const result = await helper.next();
      expect(result.tokens).toEqual([42]);
      await helper.exit();
    } finally {
      waker.wake(); // never leave a worker stuck in poll
      waker.close();
      poll.close();
    }
  });

  it("a copy's wake after its owner closed does nothing, though the fd number is reused", () => {
    const poll = new Poll({ backend });
    const other = new Poll({ backend });
    const events = new Events(4);
    const waker = new Waker(poll.registry(), Token(1));
    const copy = Waker.fromHandle(waker.handle());
    const freed = waker.fd;
    waker.close();
    // The next fd this process opens takes the lowest free number: the one just freed.
    const reused = new Waker(other.registry(), Token(2));
    try {
      expect(reused.fd).toBe(freed);
      // Before, this wrote to the eventfd now behind that number: a wake for a stranger.
      expect(() => copy.wake()).not.toThrow();
      other.poll(events, 0);
      expect(events.length).toBe(0);
    } finally {
      reused.close();
      other.close();
      poll.close();
    }
  });

  it("close does not wait forever for a copy whose thread was terminated mid-wake", () => {
    const poll = new Poll({ backend });
    const waker = new Waker(poll.registry(), Token(1));
    // What a copy leaves behind when its thread is terminated between counting itself in
    // and out (its finally never runs): one wake forever in flight.
    Atomics.add(new Int32Array(waker.handle().guard), 0, 1);
    const started = performance.now();
    try {
      waker.close();
      expect(waker.fd).toBe(-1);
      // It waited its bound (about a second), not forever; the test's own timeout is 30 s.
      expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    } finally {
      poll.close();
    }
  });

  it("a worker's Waker wakes this thread blocked in poll", async () => {
    const poll = new Poll({ backend });
    const events = new Events(4);
    const waker = new Waker(poll.registry(), Token(7));
    const helper = new Helper("wake-later", { waker: waker.handle(), delayMs: 100 });
    try {
      expect(await helper.next()).toEqual({ ready: true });
      const start = performance.now();
      poll.poll(events, 5000); // the deadline only matters if the worker fails
      const waited = performance.now() - start;
      expect(events.length).toBe(1);
      expect(events.token(0)).toBe(7);
      expect(waited).toBeLessThan(4000);
      waker.reset();
      expect(await helper.next()).toEqual({ woke: true });
      await helper.exit();
    } finally {
      waker.close();
      poll.close();
    }
  });

  it("a Registry rebuilt on a worker registers a source this thread's poll sees", async () => {
    const poll = new Poll({ backend });
    const events = new Events(4);
    const helper = new Helper("register", {
      registry: poll.registry().handle(),
      address: `127.0.0.1:${server.port}`,
      token: 99,
    });
    try {
      const msg = await helper.next();
      expect(msg.registered).toBe(true);
      poll.poll(events, 3000);
      expect(events.length).toBe(1);
      expect(events.token(0)).toBe(99);
      expect(events.isWritable(0)).toBe(true);
      helper.go();
      expect(await helper.next()).toEqual({ closed: true });
      await helper.exit();
    } finally {
      helper.go();
      poll.close();
    }
  });

  it("sees a source a worker registers while this thread is already blocked in poll", async () => {
    const poll = new Poll({ backend });
    const events = new Events(4);
    const helper = new Helper("register", {
      registry: poll.registry().handle(),
      address: `127.0.0.1:${server.port}`,
      token: 5,
      delayMs: 100,
    });
    try {
      // Not ready yet: the worker registers ~100 ms into this wait.
      poll.poll(events, 3000);
      expect(events.length).toBe(1);
      expect(events.token(0)).toBe(5);
      expect((await helper.next()).registered).toBe(true);
      helper.go();
      expect(await helper.next()).toEqual({ closed: true });
      await helper.exit();
    } finally {
      helper.go();
      poll.close();
    }
  });

  it("retries a wait that a signal interrupts (EINTR) with the time left", async () => {
    const gettid = koffi.load("libc.so.6").func("int gettid(void)") as () => number;
    const onSignal = () => {};
    process.on("SIGUSR2", onSignal);
    const poll = new Poll({ backend });
    const events = new Events(4);
    const helper = new Helper("signal", {
      tid: gettid(),
      signal: 12, // SIGUSR2 on Linux x86-64 and aarch64
      delaysMs: [80, 80],
    });
    try {
      expect(await helper.next()).toEqual({ ready: true });
      const before = interruptionCount();
      const start = performance.now();
      poll.poll(events, 400);
      const waited = performance.now() - start;
      const { results } = await helper.next();
      expect(results).toEqual([0, 0]);
      expect(interruptionCount() - before).toBeGreaterThanOrEqual(1);
      expect(events.length).toBe(0);
      // Retried with the remaining time: neither cut short nor restarted from scratch.
      expect(waited).toBeGreaterThanOrEqual(395);
      expect(waited).toBeLessThan(1500);
      await helper.exit();
    } finally {
      poll.close();
      // Let the pending signal's JS handler run before removing it.
      await new Promise((resolve) => setTimeout(resolve, 20));
      process.off("SIGUSR2", onSignal);
    }
  });
});
