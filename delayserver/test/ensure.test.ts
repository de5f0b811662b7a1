import { connect, createServer } from "node:net";
import { Worker } from "node:worker_threads";
import { afterEach, beforeAll, expect, it } from "vitest";
import { canBind, type Dist, get, loadDist, within } from "./helpers.js";

let dist: Dist;
beforeAll(async () => {
  dist = await loadDist();
});

const savedEnv = process.env.DELAYSERVER;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.DELAYSERVER;
  else process.env.DELAYSERVER = savedEnv;
});

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const address = probe.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

it("finds a server already running there and starts nothing", async () => {
  const running = await dist.startDelayServer({ port: 0, quiet: true });
  try {
    const found = await dist.ensureDelayServer(running.address);
    expect(found).toMatchObject({ address: running.address, started: false });
    await found.close();
    // close() of a found server leaves it running.
    expect((await get(running.address, "/0/still")).body).toBe("still");
  } finally {
    await running.close();
  }
});

it("reads DELAYSERVER when no address is given", async () => {
  const running = await dist.startDelayServer({ port: 0, quiet: true });
  try {
    process.env.DELAYSERVER = running.address;
    expect(await dist.ensureDelayServer()).toMatchObject({
      address: running.address,
      started: false,
    });
  } finally {
    await running.close();
  }
});

it("starts one on a thread when nothing is there, and close() stops it", async () => {
  const port = await freePort();
  const ensured = await dist.ensureDelayServer(`127.0.0.1:${port}`);
  expect(ensured).toMatchObject({ address: `127.0.0.1:${port}`, started: true });
  expect((await get(ensured.address, "/20/started")).body).toBe("started");
  await within(ensured.close(), 8_000, "close() of the started server");
  expect(await canBind(port)).toBe(true);
});

it("falls back to a free port when the port is taken by something that does not answer", async () => {
  // A listener whose thread is blocked: once its 1-slot accept queue is full, the kernel
  // drops further connection attempts, so the probe fails while the port stays bound.
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const blocker = new Worker(
    `const { workerData: { shared } } = require("node:worker_threads");
     const server = require("node:net").createServer();
     server.listen({ host: "127.0.0.1", port: 0, backlog: 1 }, () => {
       Atomics.store(shared, 1, server.address().port);
       Atomics.notify(shared, 1);
       Atomics.wait(shared, 0, 0, 20000);
       server.close();
     });`,
    { eval: true, workerData: { shared } },
  );
  try {
    Atomics.wait(shared, 1, 0, 5_000);
    const port = Atomics.load(shared, 1);
    expect(port).toBeGreaterThan(0);
    // Fill the accept queue nobody drains.
    const fillers = Array.from({ length: 4 }, () =>
      connect({ host: "127.0.0.1", port }).on("error", () => {}),
    );
    await new Promise((r) => setTimeout(r, 100));
    const ensured = await dist.ensureDelayServer(`127.0.0.1:${port}`);
    try {
      expect(ensured.started).toBe(true);
      expect(ensured.address).not.toBe(`127.0.0.1:${port}`);
      expect((await get(ensured.address, "/0/fallback")).body).toBe("fallback");
    } finally {
      await ensured.close();
      for (const f of fillers) f.destroy();
    }
  } finally {
    Atomics.store(shared, 0, 1);
    Atomics.notify(shared, 0);
    await blocker.terminate();
  }
});

it("rejects an address that is not host:port", async () => {
  await expect(dist.ensureDelayServer("nonsense")).rejects.toThrow(/expected host:port/);
  await expect(dist.ensureDelayServer("127.0.0.1\r\n:8080")).rejects.toThrow(
    /it contains "\\r" at 9; expected host:port/,
  );
  await expect(dist.ensureDelayServer("127.0.0.1:0x4AFF")).rejects.toThrow(/expected host:port/);
});
