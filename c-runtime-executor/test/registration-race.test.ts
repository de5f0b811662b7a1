import type { DelayServer } from "@ch08/delayserver";
import { HttpGetFuture, type Reactor } from "@ch08/http";
import { Events, Interest, Poll, type TcpStream, Token } from "@ch08/mio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtime, type Waker } from "../dist/index.js";
import { silencePrintln, startServer } from "./helpers/server.js";

// The answer that is already there when a leaf future registers its socket: registering
// reports it at once (edge-triggered, once only), so the waker must be stored before.
// Left to chance this window is microseconds wide; here it is held open: the answer is
// in before `register`, and `register` returns only once the reactor thread has handled
// the event it queued. Stored after registering, the waker comes too late every time.

let server: DelayServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  runtime.shutdown();
  await server.close();
});

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

/** The runtime's reactor, with `register` holding the window open as described above. */
function holdingReactor(): Reactor<Waker> {
  const real = runtime.reactor();
  return {
    nextId: () => real.nextId(),
    register: (stream, id, interest) => {
      waitUntilAnswered(stream);
      const events = real.stats().events;
      real.register(stream, id, interest);
      const deadline = performance.now() + 5000;
      while (real.stats().events === events) {
        if (performance.now() > deadline) throw new Error("the reactor saw no event in 5 s");
      }
    },
    reregister: (stream, id, interest) => real.reregister(stream, id, interest),
    setWaker: (waker, id) => real.setWaker(waker, id),
    deregister: (stream, id) => real.deregister(stream, id),
    removeWaker: (id) => real.removeWaker(id),
  };
}

describe("an answer already there when the leaf future registers", () => {
  it("is not lost: the waker stored before registering is the one its event wakes", () => {
    runtime.shutdown();
    const executor = runtime.init();
    const restore = silencePrintln();
    try {
      for (let i = 0; i < 3; i++) {
        const future = new HttpGetFuture(`/0/early${i}`, holdingReactor());
        expect(executor.blockOn(future, { timeoutMs: 5000 })).toContain(`early${i}`);
      }
      expect(runtime.reactor().stats().dropped).toBe(0);
    } finally {
      restore();
    }
  });
});
