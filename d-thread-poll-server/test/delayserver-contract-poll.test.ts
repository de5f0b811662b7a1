import { readdirSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../dist/server/start.js";
import { describeDelayServerContract } from "./helpers/contract.js";

// The same contract with mio's poll(2) backend under the server, which only `MIO_BACKEND`
// chooses: poll(2) is level-triggered and mio re-arms a socket only when a read says it
// would block, so a read the server skips under epoll must be made here (connection.ts's
// shortReadDrains, from mio's `needsDraining`). The server's threads are workers, which copy this environment when
// they start: every server below starts inside this file's beforeAll/afterAll.
let before: string | undefined;
beforeAll(() => {
  before = process.env.MIO_BACKEND;
  process.env.MIO_BACKEND = "poll";
});
afterAll(() => {
  if (before === undefined) delete process.env.MIO_BACKEND;
  else process.env.MIO_BACKEND = before;
});

/** This process's epoll instances: libuv's, one per thread, and any of mio's. */
const epollFds = (): number =>
  readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === "anon_inode:[eventpoll]";
    } catch {
      return false; // closed meanwhile
    }
  }).length;
const threads = (): number => readdirSync("/proc/self/task").length;

describe("stage d's server on poll(2)", () => {
  it.each([1, 2])(
    "with %i thread(s), it holds no epoll instance beyond libuv's one a thread",
    async (n) => {
      const epolls = epollFds();
      const started = threads();
      const server = await startServer({ port: 0, threads: n, quiet: true, graceMs: 500 });
      try {
        expect(threads()).toBeGreaterThan(started);
        expect(epollFds() - epolls).toBe(threads() - started);
      } finally {
        await server.close();
      }
    },
  );
});

describeDelayServerContract("poll(2)");
