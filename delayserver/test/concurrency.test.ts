import { afterAll, beforeAll, expect, it } from "vitest";
import type { DelayServer } from "../src/options.js";
import { startDelayServer } from "../src/server.js";
import { get, raw } from "./helpers.js";

let server: DelayServer;
const lines: string[] = [];

beforeAll(async () => {
  server = await startDelayServer({ port: 0, log: (line) => lines.push(line) });
});
afterAll(async () => {
  await server?.close();
});

it("holds 500 requests at once, each on its own connection, none answered early", async () => {
  const n = 500;
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) => get(server.address, `/300/m${i}`, { deadlineMs: 20_000 })),
  );
  answers.forEach((a, i) => {
    expect(a.status).toBe(200);
    expect(a.body).toBe(`m${i}`);
    expect(a.elapsedMs).toBeGreaterThanOrEqual(300);
  });
  // Every request got its own number, 1..n, in some order.
  const numbers = lines.map((l) => Number(/^#(\d+) - 300ms: m\d+$/.exec(l)?.[1]));
  expect(new Set(numbers).size).toBe(n);
  expect(Math.min(...numbers)).toBe(1);
  expect(Math.max(...numbers)).toBe(n);
});

it("answers different delays in delay order, not arrival order", async () => {
  const order: string[] = [];
  const delays = [400, 100, 300, 0, 200];
  await Promise.all(
    delays.map((d) =>
      raw(server.port, `GET /${d}/d${d} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`).then(
        (text) => order.push(text.slice(text.lastIndexOf("\r\n\r\n") + 4)),
      ),
    ),
  );
  expect(order).toEqual(["d0", "d100", "d200", "d300", "d400"]);
});
