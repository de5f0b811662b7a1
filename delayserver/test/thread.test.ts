import { connect, type Socket } from "node:net";
import { beforeAll, expect, it } from "vitest";
import { canBind, type Dist, get, loadDist, runNode, within } from "./helpers.js";
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

it("out of descriptors, the thread says so on stderr itself (this thread may be blocked)", async () => {
  const script = new URL("./fixtures/blocked-thread-server.mjs", import.meta.url).pathname;
  const child = runNode([script], { maxOpenFiles: 64 });
  const clients: Socket[] = [];
  try {
    const port = Number((await child.waitFor(/^port (\d+)$/m))[1]);
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 80; i++) {
      const client = connect({ host: "127.0.0.1", port });
      client.on("error", () => {});
      client.write(`GET /60000/x${i} HTTP/1.1\r\nHost: t\r\n\r\n`);
      clients.push(client);
    }
    const [warning] = await child.waitForError(/^delayserver: cannot accept new connections.*$/m);
    expect(warning).toMatch(/all 64 file descriptors .* e\.g\. `ulimit -n 65536`\.$/);
  } finally {
    for (const client of clients) client.destroy();
    child.process.kill("SIGKILL");
  }
});
