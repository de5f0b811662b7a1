import { createServer } from "node:net";
import { get, within } from "@ch08/delayserver/test/suites/client";
import { spawn } from "@ch08/std";
import { describe, expect, it } from "vitest";
import * as runtime from "../dist/runtime.js";
import { startServer } from "../dist/server/start.js";
import type { ThreadPollServer } from "../src/server/options.js";
import { accepting } from "./helpers/ports.js";
import { listen } from "./helpers/wait.js";

// What startServer refuses, and what a start that fails leaves behind: nothing bound.
// Vitest runs each test file in a process of its own, so this file's multi-threaded
// servers and runtime.init() meet no other file's reactor.

/** A port nothing listens on: bound by node:net, then released. */
function freePort(): Promise<number> {
  return within(
    new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once("error", reject);
      probe.listen(0, "127.0.0.1", () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    }),
    2000,
    "a free port",
  );
}

/** Stops every server given, whatever else failed. */
async function stopAll(...servers: (ThreadPollServer | undefined)[]): Promise<void> {
  await Promise.all(servers.map((server) => server?.stop().catch(() => undefined)));
}

/** What a refused multi-threaded server is told: the limit, and the two ways out. */
const ONE_REACTOR =
  /one reactor per process.*stop the first.*threads: 1, the single-threaded server/;

/** A multi-threaded server on `port` must be refused before it binds; one started anyway is stopped. */
async function expectRefusedBeforeBind(port: number): Promise<void> {
  let started: ThreadPollServer | undefined;
  try {
    const refused = startServer({ port, threads: 2, quiet: true }).then((server) => {
      started = server;
      return server;
    });
    await expect(refused).rejects.toMatchObject({
      name: "AlreadyRunningError",
      message: expect.stringMatching(ONE_REACTOR),
    });
    expect(await accepting(port)).toBe(false);
  } finally {
    await stopAll(started);
  }
}

describe("one multi-threaded server per process: a second is refused before it binds", () => {
  it("while another runs; that one still serves, single-threaded servers start beside it, and once it stops a new one starts", async () => {
    const first = await startServer({ port: 0, threads: 2, quiet: true });
    let second: ThreadPollServer | undefined;
    let single: ThreadPollServer | undefined;
    try {
      const port = await freePort();
      await expectRefusedBeforeBind(port);
      expect((await get(first.address, "/0/first", { deadlineMs: 5000 })).body).toBe("first");
      single = await startServer({ port: 0, quiet: true });
      expect((await get(single.address, "/0/single", { deadlineMs: 5000 })).body).toBe("single");
      await within(first.stop(), 5000, "the first server's stop");
      second = await startServer({ port, threads: 2, quiet: true });
      expect((await get(second.address, "/0/second", { deadlineMs: 5000 })).body).toBe("second");
    } finally {
      await stopAll(second, single, first);
    }
  });

  it("after runtime.init(), until runtime.shutdown()", async () => {
    runtime.init();
    let server: ThreadPollServer | undefined;
    try {
      const port = await freePort();
      await expectRefusedBeforeBind(port);
      runtime.shutdown();
      server = await startServer({ port, threads: 2, quiet: true });
      expect((await get(server.address, "/0/after", { deadlineMs: 5000 })).body).toBe("after");
    } finally {
      runtime.shutdown();
      await stopAll(server);
    }
  });

  it("on a thread handed the process's reactor at its start, and the port it bound is let go", async () => {
    runtime.init();
    const reports = listen();
    try {
      const port = await freePort();
      // Started by @ch08/std's spawn from this thread, it is handed this thread's reactor.
      spawn(new URL("./helpers/start-in-worker.mjs", import.meta.url), "startMultiThreaded", {
        name: "starter",
        args: [reports.name, port],
      });
      expect(await reports.next(10_000, "the worker's start to end")).toMatchObject({
        name: "AlreadyRunningError",
        message: expect.stringMatching(ONE_REACTOR),
      });
      expect(await accepting(port)).toBe(false);
    } finally {
      reports.close();
      runtime.shutdown();
    }
  });
});

describe("a start that fails lets its port go: a corrected start on the same port succeeds", () => {
  const modules = {
    "a job module that does not exist": new URL("./helpers/no-such-module.mjs", import.meta.url)
      .href,
    "a job module that throws as it loads": new URL("./helpers/throws-on-load.mjs", import.meta.url)
      .href,
  };
  for (const threads of [1, 2]) {
    for (const [what, module] of Object.entries(modules)) {
      it(`${what} (threads: ${threads})`, async () => {
        const port = await freePort();
        await expect(
          startServer({ port, threads, quiet: true, modules: [module] }),
        ).rejects.toMatchObject({ name: "ListenError" });
        expect(await accepting(port)).toBe(false);
        const server = await startServer({ port, threads, quiet: true });
        try {
          expect((await get(server.address, "/0/retry", { deadlineMs: 5000 })).body).toBe("retry");
        } finally {
          await stopAll(server);
        }
      });
    }
  }
});

describe("a failed start's error says what to change, not always the port", () => {
  for (const threads of [1, 2]) {
    it(`a port in use: pick another port (threads: ${threads})`, async () => {
      const taken = createServer();
      await within(
        new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve)),
        2000,
        "a port to take",
      );
      const address = taken.address();
      const port = typeof address === "object" && address ? address.port : 0;
      try {
        await expect(startServer({ port, threads, quiet: true })).rejects.toMatchObject({
          name: "ListenError",
          code: "EADDRINUSE",
          message: `port ${port} on 127.0.0.1 is already in use; pick another port (0 picks any free one)`,
        });
      } finally {
        await new Promise((resolve) => taken.close(resolve));
      }
    });

    it(`a host that is not IPv4 or localhost: pass one that is (threads: ${threads})`, async () => {
      const failed = await startServer({ host: "::1", port: 0, threads, quiet: true }).catch(
        (error: Error) => error,
      );
      expect(failed).toMatchObject({ name: "ListenError", code: undefined });
      expect((failed as Error).message).toMatch(
        /^cannot listen on ::1:0 \(bad address .*\); pass host as an IPv4 address \(127\.0\.0\.1, or 0\.0\.0\.0 for every interface\) or localhost$/,
      );
    });

    it(`a host that is not this machine's: pass one that is (threads: ${threads})`, async () => {
      // 192.0.2.0/24 is kept for documentation (RFC 5737): no machine has it.
      await expect(
        startServer({ host: "192.0.2.1", port: 0, threads, quiet: true }),
      ).rejects.toMatchObject({
        name: "ListenError",
        code: "EADDRNOTAVAIL",
        message: expect.stringMatching(
          /; 192\.0\.2\.1 is not an address of this machine: pass one that is \(127\.0\.0\.1, or 0\.0\.0\.0 for every interface\)$/,
        ),
      });
    });

    it(`a server thread that fails at start: what it failed on, and not the port (threads: ${threads})`, async () => {
      const missing = new URL("./helpers/no-such-module.mjs", import.meta.url).href;
      const failed = await startServer({ port: 0, threads, quiet: true, modules: [missing] }).catch(
        (error: Error) => error,
      );
      expect(failed).toMatchObject({ name: "ListenError", code: undefined });
      expect((failed as Error).message).toMatch(
        /^could not start the server on 127\.0\.0\.1:0: .*thread.* failed at start \(its error is on stderr\); fix what it failed on \(often a module in `modules` that cannot be imported, or that throws as it loads\) and start again: the port was not the problem$/,
      );
    });

    it.each([-1, Number.NaN, 1.5, 2 ** 40])(
      `a backlog of %s: a RangeError saying what to pass, before anything starts (threads: ${threads})`,
      async (backlog) => {
        await expect(startServer({ port: 0, threads, quiet: true, backlog })).rejects.toMatchObject(
          {
            name: "RangeError",
            message: `backlog must be an integer from 1 to 2147483647 (the kernel caps it at net.core.somaxconn), got ${backlog}`,
          },
        );
      },
    );
  }
});

describe("graceMs is checked like the other options", () => {
  for (const threads of [1, 2]) {
    it.each([Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY, 2_147_478_648])(
      `graceMs %s: a RangeError saying what to pass, before anything starts (threads: ${threads})`,
      async (graceMs) => {
        await expect(startServer({ port: 0, threads, quiet: true, graceMs })).rejects.toMatchObject(
          {
            name: "RangeError",
            message: `graceMs must be a whole number of milliseconds from 0 to 2147478647, got ${graceMs}`,
          },
        );
      },
    );

    it.each([0, 2_147_478_647])(
      `graceMs %s: the server starts, serves and stops (threads: ${threads})`,
      async (graceMs) => {
        const server = await startServer({ port: 0, threads, quiet: true, graceMs });
        try {
          expect((await get(server.address, "/0/grace", { deadlineMs: 5000 })).body).toBe("grace");
        } finally {
          expect(
            await within(server.stop(), 5000, `the stop with graceMs ${graceMs}`),
          ).toMatchObject({ requests: 1, droppedAnswers: 0 });
        }
      },
    );
  }
});
