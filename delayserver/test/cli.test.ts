import { createServer, type Server } from "node:net";
import { describe, expect, it } from "vitest";
import { get, runCli } from "./helpers.js";

const LISTENING = /delayserver listening on http:\/\/127\.0\.0\.1:(\d+)\n/;

describe("the CLI, as a child process", () => {
  it("prints the usage text, then #1 - … per request, and stops on SIGTERM with exit 0", async () => {
    const cli = runCli(["--port", "0"]);
    try {
      const port = Number((await cli.waitFor(LISTENING))[1]);
      await cli.waitFor(
        /USAGE:.*\/\{delay in ms\}\/\{URL-encoded message\}.*REQUESTS:\n--------\n/s,
      );
      expect(cli.stdout()).toContain(`curl http://127.0.0.1:${port}/200/Hello%20World`);

      const answer = await get(`127.0.0.1:${port}`, "/200/Hello%20World");
      expect(answer.body).toBe("Hello World");
      expect(answer.elapsedMs).toBeGreaterThanOrEqual(200);
      await cli.waitFor(/#1 - 200ms: Hello World\n/);

      // A request still held when the signal comes is answered 503, before the exit.
      const held = get(`127.0.0.1:${port}`, "/20000/held");
      // Awaited below, after the exit: a server that dies without answering fails there.
      held.catch(() => {});
      await cli.waitFor(/#2 - 20000ms: held\n/);
      cli.process.kill("SIGTERM");
      expect(await cli.exit()).toBe(0);
      expect(cli.stdout()).toMatch(/delayserver: stopped \(SIGTERM\)\n$/);
      const heldAnswer = await held;
      expect(heldAnswer.status).toBe(503);
      expect(heldAnswer.body).toBe("503 Service Unavailable: the delayserver is stopping\n");
      expect(heldAnswer.elapsedMs).toBeLessThan(20_000);
      expect(cli.stderr()).toBe("");
    } finally {
      cli.process.kill("SIGKILL");
    }
  });

  it("stops on SIGINT with exit 0 too", async () => {
    const cli = runCli(["--port", "0", "--quiet"]);
    try {
      const port = Number((await cli.waitFor(LISTENING))[1]);
      expect((await get(`127.0.0.1:${port}`, "/1/quiet")).body).toBe("quiet");
      cli.process.kill("SIGINT");
      expect(await cli.exit()).toBe(0);
      expect(cli.stdout()).not.toContain("#1");
      expect(cli.stdout()).toMatch(/delayserver: stopped \(SIGINT\)\n$/);
    } finally {
      cli.process.kill("SIGKILL");
    }
  });

  it("a port in use: one line naming the port and --port, exit 1", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen({ host: "127.0.0.1", port: 0 }, resolve));
    const address = taken.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    try {
      const cli = runCli(["--port", String(port)]);
      expect(await cli.exit()).toBe(1);
      expect(cli.stderr()).toBe(
        `delayserver: port ${port} on 127.0.0.1 is already in use; pick another with --port <n> (--port 0 picks a free one)\n`,
      );
      expect(cli.stdout()).toBe("");
    } finally {
      taken.close();
    }
  });

  // Every bad value is checked in cli-options.test.ts; here, that one reaches the terminal.
  it.each([
    [["--bogus"], /^delayserver: Unknown option '--bogus'; see --help\n$/],
    [
      ["--port", "-1"],
      /^delayserver: --port is out of range: -1 is not from 0 to 65535; .*; see --help\n$/,
    ],
    [["--max-delay", "-1"], /^delayserver: --max-delay is out of range: -1 .*; see --help\n$/],
    [["--port"], /^delayserver: --port needs a value: .*; see --help\n$/],
  ])("bad usage %j: one line saying what is wrong, exit 2", async (args, message) => {
    const cli = runCli(args);
    expect(await cli.exit()).toBe(2);
    expect(cli.stderr()).toMatch(message);
    expect(cli.stdout()).toBe("");
  });

  it("--help prints the options and exits 0", async () => {
    const cli = runCli(["--help"]);
    expect(await cli.exit()).toBe(0);
    for (const option of ["--host", "--port", "--max-delay", "--quiet", "--help"]) {
      expect(cli.stdout()).toContain(option);
    }
  });
});
