import { describe, expect, it } from "vitest";
import {
  Events,
  Interest,
  Poll,
  Registry,
  TcpListener,
  TcpStream,
  Token,
  Waker,
} from "../src/index.js";
import { BACKENDS } from "./helpers/client.js";

describe.each(BACKENDS)("Poll on %s", (backend) => {
  it("returns after the timeout with no events", () => {
    const poll = new Poll({ backend });
    const events = new Events();
    try {
      const start = performance.now();
      poll.poll(events, 50);
      const waited = performance.now() - start;
      expect(events.length).toBe(0);
      expect(waited).toBeGreaterThanOrEqual(45);
      expect(waited).toBeLessThan(2000);
      poll.poll(events, 0);
      expect(events.length).toBe(0);
    } finally {
      poll.close();
    }
  });

  it("says whether a source must be drained to WOULD_BLOCK before its next event (poll(2) only)", () => {
    const poll = new Poll({ backend });
    try {
      expect(poll.registry().needsDraining).toBe(backend === "poll");
      expect(Registry.fromHandle(poll.handle()).needsDraining).toBe(backend === "poll");
    } finally {
      poll.close();
    }
  });

  it("is closed idempotently, and a closed Poll refuses to poll", () => {
    const poll = new Poll({ backend });
    poll.close();
    poll.close();
    expect(() => poll.poll(new Events(1), 0)).toThrow(/EBADF/);
  });

  it("a closed Poll refuses registrations as epoll_ctl does (EBADF), the original and a copy alike", () => {
    const listener = TcpListener.bind("127.0.0.1:0");
    const poll = new Poll({ backend });
    const copy = Poll.fromHandle(poll.handle());
    try {
      copy.close();
      expect(() => copy.registry().register(listener, Token(1), Interest.READABLE)).toThrow(
        /EBADF/,
      );
      poll.registry().register(listener, Token(1), Interest.READABLE);
      poll.close();
      expect(() => poll.registry().deregister(listener)).toThrow(/EBADF/);
      expect(() => poll.registry().register(listener, Token(2), Interest.READABLE)).toThrow(
        /EBADF/,
      );
    } finally {
      listener.close();
    }
  });

  it("leaves the queue open when a copy made by fromHandle is closed", () => {
    const poll = new Poll({ backend });
    const events = new Events(4);
    const waker = new Waker(poll.registry(), Token(3));
    try {
      const copy = Poll.fromHandle(poll.handle());
      expect(copy.backend).toBe(backend);
      copy.close();
      expect(() => copy.poll(events, 0)).toThrow(/EBADF/);
      waker.wake();
      poll.poll(events, 1000);
      expect(events.length).toBe(1);
    } finally {
      waker.close();
      poll.close();
    }
  });

  it("clears the events first, and iterates them through one reused cursor", () => {
    const poll = new Poll({ backend });
    const events = new Events(4);
    const a = new Waker(poll.registry(), Token(10));
    const b = new Waker(poll.registry(), Token(11));
    try {
      a.wake();
      b.wake();
      poll.poll(events, 1000);
      expect(events.length).toBe(2);
      const seen: number[] = [];
      const cursors = new Set<object>();
      for (const e of events) {
        seen.push(e.token());
        expect(e.isReadable()).toBe(true);
        expect(e.isWritable()).toBe(false);
        cursors.add(e);
      }
      expect(seen.sort()).toEqual([10, 11]);
      expect(cursors.size).toBe(1);
      expect(() => events.token(2)).toThrow(RangeError);
      poll.poll(events, 0);
      expect(events.length).toBe(0);
    } finally {
      a.close();
      b.close();
      poll.close();
    }
  });

  it("does not report the same readiness twice without WOULD_BLOCK (edge-triggered)", () => {
    const poll = new Poll({ backend });
    const events = new Events(4);
    const waker = new Waker(poll.registry(), Token(1));
    try {
      waker.wake();
      poll.poll(events, 1000);
      expect(events.length).toBe(1);
      // Still readable (the counter is not drained) but already reported: no new event.
      poll.poll(events, 30);
      expect(events.length).toBe(0);
      waker.wake();
      poll.poll(events, 1000);
      expect(events.length).toBe(1);
    } finally {
      waker.close();
      poll.close();
    }
  });

  it("checks tokens and interests, and reports double registration", () => {
    const poll = new Poll({ backend });
    const waker = new Waker(poll.registry(), Token(1));
    try {
      const registry = poll.registry();
      const source = { fd: waker.fd };
      expect(() => registry.register(source, -1 as Token, Interest.READABLE)).toThrow(RangeError);
      expect(() => registry.register(source, (2 ** 32) as Token, Interest.READABLE)).toThrow(
        RangeError,
      );
      expect(() => registry.register(source, Token(1), 0 as Interest)).toThrow(RangeError);
      expect(() => registry.register(source, Token(1), Interest.READABLE)).toThrow(/EEXIST/);
      registry.deregister(source);
      expect(() => registry.deregister(source)).toThrow(/ENOENT/);
      expect(() => registry.reregister(source, Token(1), Interest.READABLE)).toThrow(/ENOENT/);
    } finally {
      waker.close();
      poll.close();
    }
  });

  it("delivers the largest token intact", () => {
    const poll = new Poll({ backend });
    const events = new Events(1);
    const waker = new Waker(poll.registry(), Token(0xffff_ffff));
    try {
      waker.wake();
      poll.poll(events, 1000);
      expect(events.token(0)).toBe(0xffff_ffff);
    } finally {
      waker.close();
      poll.close();
    }
  });

  it("combines interests either way", () => {
    expect(Interest.add(Interest.READABLE, Interest.WRITABLE)).toBe(
      Interest.add(Interest.READABLE, Interest.WRITABLE),
    );
    expect(Interest.isReadable(Interest.add(Interest.READABLE, Interest.WRITABLE))).toBe(true);
    expect(Interest.isWritable(Interest.READABLE)).toBe(false);
    expect(typeof TcpStream.connect).toBe("function");
  });
});

describe("backend choice", () => {
  it("uses MIO_BACKEND unless an option overrides it, and refuses unknown names", () => {
    const saved = process.env.MIO_BACKEND;
    try {
      process.env.MIO_BACKEND = "poll";
      const fromEnv = new Poll();
      expect(fromEnv.backend).toBe("poll");
      fromEnv.close();
      const explicit = new Poll({ backend: "epoll" });
      expect(explicit.backend).toBe("epoll");
      explicit.close();
      process.env.MIO_BACKEND = "kqueue";
      expect(() => new Poll()).toThrow(/unknown mio backend "kqueue"/);
    } finally {
      if (saved === undefined) delete process.env.MIO_BACKEND;
      else process.env.MIO_BACKEND = saved;
    }
  });
});
