import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import type { DelayServer } from "@ch08/delayserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeadlineError, Http, runtime } from "../dist/index.js";
import { silencePrintln, startServer } from "./helpers/server.js";

// Issue 15: a request given up on (DeadlineError) kept its waker-table slot and its
// socket; WAKER_CAPACITY tokens later a healthy request met the stale slot and failed.

let server: DelayServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  runtime.shutdown();
  await server.close();
});

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

describe("a future the executor gives up on", () => {
  it("is released: its socket closed, its token forgotten; WAKER_CAPACITY tokens on, a request works", () => {
    runtime.shutdown();
    const executor = runtime.init();
    const idle = watchedByMio();
    const socketsBefore = sockets();
    const restore = silencePrintln();
    try {
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
    } finally {
      restore();
    }
  });
});
