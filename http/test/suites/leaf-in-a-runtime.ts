// The shared leaf future inside a stage's runtime, as tests any stage with a reactor thread
// (b and c) is held to: an answer that is there before the socket is registered is not
// lost, and a future the executor gives up on leaves nothing behind. Each stage runs the
// suite with its own exports (test/leaf-in-a-runtime.test.ts).
//
// From another package (with "@ch08/http" in its dependencies):
//
//   import { describeLeafInARuntime } from "@ch08/http/test/suites/leaf-in-a-runtime";
//   import { DeadlineError, Http, runtime } from "../dist/index.js";
//   describeLeafInARuntime({ DeadlineError, Http, runtime });
//
// The export points at this .ts file: vitest and tsc load it, plain node does not.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { type DelayServer, startDelayServerThread } from "@ch08/delayserver";
import { capturePrintln, HttpGetFuture, type PollState, type Reactor } from "@ch08/http";
import { Events, Interest, Poll, type TcpStream, Token } from "@ch08/mio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** What the suite needs of a stage: its `runtime` module, `Http` and `DeadlineError`. */
export interface StageUnderTest<W> {
  readonly runtime: {
    init(): {
      blockOn<T>(future: { poll(waker: W): PollState<T> }, options?: { timeoutMs?: number }): T;
    };
    shutdown(): void;
    reactor(): Required<Reactor<W>> & {
      stats(): { events: number; wakes: number; dropped: number };
    };
    readonly WAKER_CAPACITY: number;
  };
  readonly Http: { get(path: string): HttpGetFuture<W> };
  readonly DeadlineError: abstract new (...args: never[]) => Error;
}

/** Blocks until `stream` has bytes to read (on a probe epoll of its own), or throws. */
function waitUntilAnswered(stream: TcpStream): void {
  const probe = new Poll();
  const events = new Events(4);
  try {
    probe.registry().register(stream, Token(1), Interest.READABLE);
    const deadline = performance.now() + 5000;
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error("the delayserver did not answer within 5 s");
      probe.poll(events, Math.ceil(left));
      for (let i = 0; i < events.length; i++) if (events.isReadable(i)) return;
    }
  } finally {
    probe.registry().deregister(stream);
    probe.close();
  }
}

/** The fds every mio epoll of this process watches (its `tfd:` lines). */
function watchedByMio(): number[] {
  const watched: number[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    let info = "";
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) !== "anon_inode:[eventpoll]") continue;
      info = readFileSync(`/proc/self/fdinfo/${fd}`, "utf8");
    } catch {
      continue; // closed meanwhile
    }
    for (const m of info.matchAll(/^tfd:\s+(\d+)\s+events:\s+([0-9a-f]+)/gm)) {
      // mio registers edge-triggered; libuv's epolls do not.
      if ((Number.parseInt(m[2] ?? "0", 16) & 0x8000_0000) !== 0) watched.push(Number(m[1]));
    }
  }
  return watched;
}

/** How many sockets this process has open. */
function sockets(): number {
  let count = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:")) count++;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

/** Runs `body` with this thread's println output dropped, and gives stdout back after. */
function quietly<T>(body: () => T): T {
  capturePrintln(() => {});
  try {
    return body();
  } finally {
    capturePrintln(undefined);
  }
}

/** The suite: `stage` is the stage's own exports, run against its built `dist`. */
export function describeLeafInARuntime<W>(stage: StageUnderTest<W>): void {
  const { runtime, Http, DeadlineError } = stage;
  let server: DelayServer;
  beforeAll(async () => {
    // On a worker thread: it must answer while this thread is parked in `Atomics.wait`.
    server = await startDelayServerThread({ port: 0, quiet: true });
    process.env.DELAYSERVER = server.address;
  });
  afterAll(async () => {
    runtime.shutdown();
    await server.close();
  });

  // The answer that is already there when a leaf future registers its socket: registering
  // reports it at once (edge-triggered, once only), so the waker must be stored before.
  // Left to chance this window is microseconds wide; here it is held open: the answer is
  // in before `register`, and `register` returns only once the reactor thread has handled
  // the event it queued. Stored after registering, the waker comes too late every time.
  describe("an answer already there when the leaf future registers", () => {
    /** Events the reactor dropped (no waker stored) while `register` held the window open. */
    let droppedAtRegister = 0;

    /** The runtime's reactor, with `register` holding the window open as described above. */
    function holdingReactor(): Reactor<W> {
      const real = runtime.reactor();
      return {
        nextId: () => real.nextId(),
        register: (stream, id, interest) => {
          waitUntilAnswered(stream);
          const before = real.stats();
          real.register(stream, id, interest);
          // Until the reactor thread has handled the event registering queued: it counts
          // it, then either wakes the stored waker or drops it. Only that event is judged:
          // the server's FIN may raise one more after the future has finished and let go
          // of its token, and dropping that one is harmless.
          const deadline = performance.now() + 5000;
          for (;;) {
            const now = real.stats();
            const handled = now.wakes + now.dropped - before.wakes - before.dropped;
            if (now.events > before.events && handled > 0) break;
            if (performance.now() > deadline) throw new Error("the reactor saw no event in 5 s");
          }
          droppedAtRegister += real.stats().dropped - before.dropped;
        },
        reregister: (stream, id, interest) => real.reregister(stream, id, interest),
        setWaker: (waker, id) => real.setWaker(waker, id),
        deregister: (stream, id) => real.deregister(stream, id),
        removeWaker: (id) => real.removeWaker(id),
      };
    }

    it("is not lost: the waker stored before registering is the one its event wakes", () => {
      runtime.shutdown();
      const executor = runtime.init();
      droppedAtRegister = 0;
      quietly(() => {
        for (let i = 0; i < 3; i++) {
          const future = new HttpGetFuture(`/0/early${i}`, holdingReactor());
          expect(executor.blockOn(future, { timeoutMs: 5000 })).toContain(`early${i}`);
        }
      });
      expect(droppedAtRegister).toBe(0);
    });
  });

  // Issue 15: a request given up on (DeadlineError) kept its waker-table slot and its
  // socket; WAKER_CAPACITY tokens later a healthy request met the stale slot and failed.
  describe("a future the executor gives up on", () => {
    it("is released: its socket closed, its token forgotten; WAKER_CAPACITY tokens on, a request works", () => {
      runtime.shutdown();
      const executor = runtime.init();
      const idle = watchedByMio();
      const socketsBefore = sockets();
      quietly(() => {
        for (let i = 0; i < 3; i++) {
          const abandoned = Http.get("/60000/abandoned");
          expect(() => executor.blockOn(abandoned, { timeoutMs: 150 })).toThrow(DeadlineError);
        }
        // Nothing of theirs is watched any more, and their sockets are closed: at most the
        // in-process delayserver's three ends remain (it closes them on our FIN, soon).
        expect(watchedByMio()).toEqual(idle);
        expect(sockets() - socketsBefore).toBeLessThanOrEqual(3);
        // Tokens map onto the waker table modulo its size: a slot still held would meet one of these.
        for (let i = 0; i < runtime.WAKER_CAPACITY; i++) runtime.reactor().nextId();
        expect(executor.blockOn(Http.get("/10/healthy"), { timeoutMs: 5000 })).toContain("healthy");
      });
    });
  });
}
