import { beforeAll, expect, it } from "vitest";
import { canBind, type Dist, get, loadDist, within } from "./helpers.js";
import { describeDelayServerClientsLeaving } from "./suites/clients-leaving.js";
import { describeDelayServerRoutes } from "./suites/routes.js";

let dist: Dist;
beforeAll(async () => {
  dist = await loadDist();
});

// The shared suite again, with log lines that come from another thread, by message.
describeDelayServerRoutes(
  "startDelayServerThread (node:http, a worker_thread)",
  async ({ maxDelayMs }) => {
    const lines: string[] = [];
    const server = await (await loadDist()).startDelayServerThread({
      port: 0,
      maxDelayMs,
      log: (line) => lines.push(line),
    });
    return { address: server.address, logLines: () => lines, stop: () => server.close() };
  },
);

// And the cancellations, whose lines the thread sends the same way.
describeDelayServerClientsLeaving(
  "startDelayServerThread: clients leaving mid-delay",
  async ({ maxDelayMs }) => {
    const lines: string[] = [];
    const server = await (await loadDist()).startDelayServerThread({
      port: 0,
      maxDelayMs,
      log: (line) => lines.push(line),
    });
    return { address: server.address, logLines: () => lines, stop: () => server.close() };
  },
);

it("startDelayServerThread answers from a worker_thread, forwards log lines, and closes", async () => {
  const lines: string[] = [];
  const server = await dist.startDelayServerThread({ port: 0, log: (line) => lines.push(line) });
  expect(server.address).toBe(`127.0.0.1:${server.port}`);
  const answer = await get(server.address, "/100/from%20a%20thread");
  expect(answer.body).toBe("from a thread");
  expect(answer.elapsedMs).toBeGreaterThanOrEqual(100);
  await within(
    (async () => {
      while (lines.length === 0) await new Promise((r) => setTimeout(r, 5));
    })(),
    5_000,
    "the thread's log line",
  );
  expect(lines).toEqual(["#1 - 100ms: from a thread"]);
  await within(server.close(), 8_000, "close() of the thread server");
  expect(await canBind(server.port)).toBe(true);
});

it("is not stalled by this thread blocking in Atomics.wait, as a runtime does", async () => {
  const server = await dist.startDelayServerThread({ port: 0, quiet: true });
  try {
    const answer = get(server.address, "/50/while%20blocked");
    // Block this thread well past the delay: only the worker's event loop can run.
    await new Promise((r) => setTimeout(r, 10));
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    expect((await answer).body).toBe("while blocked");
  } finally {
    await server.close();
  }
});

it("startDelayServerThread on a used port rejects with a ListenError", async () => {
  const first = await dist.startDelayServer({ port: 0, quiet: true });
  try {
    const failed = await dist
      .startDelayServerThread({ port: first.port, quiet: true })
      .catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(dist.ListenError);
    expect(failed).toMatchObject({ code: "EADDRINUSE", port: first.port });
  } finally {
    await first.close();
  }
});
