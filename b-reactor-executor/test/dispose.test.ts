import { readdirSync } from "node:fs";
import { Waker as MioWaker, Poll, Token } from "@ch08/mio";
import { describe, expect, it } from "vitest";
import { runtime } from "../dist/index.js";
import { capture, mioEpollFds } from "./helpers/index.js";

// `using` releases what it holds at the end of its scope: no try/finally needed.

const openFds = () => readdirSync("/proc/self/fd").length;

describe("using", () => {
  it("closes a Poll and a mio Waker at the end of the scope", () => {
    const before = openFds();
    {
      using poll = new Poll();
      using waker = new MioWaker(poll.registry(), Token(1));
      waker.wake();
      expect(openFds()).toBeGreaterThan(before);
    }
    expect(openFds()).toBe(before);
  });

  it("stops the runtime (the reactor thread and its fds) at the end of the scope", () => {
    runtime.shutdown();
    const printed = capture();
    const before = mioEpollFds();
    {
      using executor = runtime.init();
      expect(runtime.reactor()).toBeDefined();
      expect(executor.polls).toBe(0);
    }
    expect(() => runtime.reactor()).toThrow(runtime.OutsideRuntimeError);
    // The reactor's epoll fd is closed once its thread has left the loop.
    expect(mioEpollFds()).toEqual(before);
    printed.release();
  });
});
