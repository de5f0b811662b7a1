import { execFile } from "node:child_process";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Every request fails when the server hangs up at once. A stage program whose requests
// all failed must say so with its exit code, as stages a and b do (issue 15).

let server: Server;
let address = "";

beforeAll(async () => {
  // Accepts (so the program does not start a delayserver of its own), then hangs up.
  server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const bound = server.address();
  if (bound === null || typeof bound === "string") throw new Error("no TCP address");
  address = `127.0.0.1:${bound.port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Runs `node dist/<args>` against the hanging-up server; its exit code and stderr. */
function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [new URL(`../dist/${args[0]}`, import.meta.url).pathname, ...args.slice(1)],
      { timeout: 30_000, env: { ...process.env, DELAYSERVER: address } },
      (error, _stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ code, stderr });
      },
    );
  });
}

describe("a stage c program whose requests all fail", () => {
  it.each([["main.js"], ["main.js", "--generator"], ["threads.js"]])(
    "node dist/%s exits 1 and says which tasks failed",
    async (...args) => {
      const { code, stderr } = await run(args);
      expect(code).toBe(1);
      expect(stderr).toMatch(/task \d+ failed and nobody joined it/);
    },
  );
});
