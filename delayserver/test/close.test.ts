import { connect } from "node:net";
import { expect, it } from "vitest";
import { startDelayServer } from "../src/server.js";
import { canBind, get, raw, within } from "./helpers.js";

it("close() with requests in flight answers them 503, resolves, and frees the port", async () => {
  const lines: string[] = [];
  const server = await startDelayServer({ port: 0, log: (line) => lines.push(line) });
  const held = Array.from({ length: 20 }, (_, i) =>
    get(server.address, `/10000/held${i}`, { deadlineMs: 8_000 }).catch((err: Error) => err),
  );
  // A HEAD held too, and an idle keep-alive connection that close() must not wait on.
  const head = raw(server.port, "HEAD /10000/h HTTP/1.1\r\nHost: t\r\n\r\n");
  const idle = connect({ host: "127.0.0.1", port: server.port });
  await within(
    (async () => {
      while (lines.length < 21) await new Promise((r) => setTimeout(r, 5));
    })(),
    5_000,
    "21 requests to arrive",
  );

  await within(server.close(), 5_000, "close() with 21 requests in flight");

  for (const answer of await Promise.all(held)) {
    // Each is told the server is stopping (503 lets a client tell that from a crash).
    if (answer instanceof Error) throw answer;
    expect(answer.status).toBe(503);
    expect(answer.body).toMatch(/stopping/);
  }
  expect(await head).toMatch(/^HTTP\/1\.1 503 .*\r\n\r\n$/s);
  idle.destroy();
  expect(await canBind(server.port)).toBe(true);
  // A second close() is harmless.
  await within(server.close(), 1_000, "a second close()");
});

it("close() with nothing in flight resolves and frees the port", async () => {
  const server = await startDelayServer({ port: 0, quiet: true });
  expect((await get(server.address, "/0/x")).body).toBe("x");
  await within(server.close(), 5_000, "close()");
  expect(await canBind(server.port)).toBe(true);
});

it("a port already in use rejects with a ListenError naming it", async () => {
  const first = await startDelayServer({ port: 0, quiet: true });
  try {
    await expect(startDelayServer({ port: first.port, quiet: true })).rejects.toMatchObject({
      name: "ListenError",
      code: "EADDRINUSE",
      port: first.port,
      message: expect.stringContaining(`port ${first.port} on 127.0.0.1 is already in use`),
    });
  } finally {
    await first.close();
  }
});

it("rejects options it cannot honour", async () => {
  await expect(startDelayServer({ port: 70_000 })).rejects.toThrow(/port must be/);
  await expect(startDelayServer({ port: 0, maxDelayMs: 1.5 })).rejects.toThrow(/maxDelayMs/);
});
