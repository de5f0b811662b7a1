import { readdirSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { expect, it } from "vitest";
import { startDelayServer } from "../src/server.js";
import { get, runCli, within } from "./helpers.js";
import { describeDelayServerClientsLeaving } from "./suites/clients-leaving.js";

describeDelayServerClientsLeaving(
  "startDelayServer: clients leaving mid-delay",
  async (options) => {
    const lines: string[] = [];
    const server = await startDelayServer({ port: 0, ...options, log: (line) => lines.push(line) });
    return { address: server.address, logLines: () => lines, stop: () => server.close() };
  },
);

const LISTENING = /delayserver listening on http:\/\/127\.0\.0\.1:(\d+)\n/;

/** How many descriptors this process has open right now. */
const openFds = (): number => readdirSync("/proc/self/fd").length;

/** Resolves once `check` holds, polling; fails with `what` at the deadline. */
async function until(check: () => boolean, what: () => string, deadlineMs = 5_000): Promise<void> {
  await within(
    (async () => {
      while (!check()) await new Promise((r) => setTimeout(r, 5));
    })(),
    deadlineMs,
    what,
  );
}

/** Opens a connection that sends one request for `path` and ignores what happens to it. */
function sendOn(port: number, path: string): Socket {
  const socket = connect({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  socket.write(`GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`);
  return socket;
}

it("200 clients that ask for /60000/x and close: the server's descriptors are freed at once", async () => {
  const lines: string[] = [];
  const server = await startDelayServer({ port: 0, log: (line) => lines.push(line) });
  try {
    const before = openFds();
    const clients = Array.from({ length: 200 }, (_, i) => sendOn(server.port, `/60000/x${i}`));
    await until(
      () => lines.length >= 200,
      () => `200 requests to be held; ${lines.length} so far`,
    );
    // Both ends of 200 connections live in this process.
    expect(openFds()).toBeGreaterThanOrEqual(before + 390);
    for (const client of clients) client.end();
    // Held in CLOSE_WAIT, the server's ends would stay for the rest of the minute.
    await until(
      () => openFds() <= before + 5,
      () => `the descriptors to be freed: ${openFds() - before} more than before`,
    );
    expect(lines.filter((l) => l.endsWith("the client closed the connection)"))).toHaveLength(200);
  } finally {
    await server.close();
  }
});

it("a server allowed 64 descriptors outlasts 300 clients that ask for a minute and leave", async () => {
  const cli = runCli(["--port", "0"], { maxOpenFiles: 64 });
  try {
    const port = Number((await cli.waitFor(LISTENING))[1]);
    const cancelled = (): number => cli.stdout().match(/\(cancelled after/g)?.length ?? 0;
    for (let batch = 0; batch < 15; batch++) {
      const clients = Array.from({ length: 20 }, (_, i) => sendOn(port, `/60000/b${batch}c${i}`));
      const held = (): number =>
        cli.stdout().match(new RegExp(`^#\\d+ - 60000ms: b${batch}c\\d+$`, "gm"))?.length ?? 0;
      await until(
        () => held() >= 20,
        () => `batch ${batch}'s 20 requests to be held; ${held()} so far`,
      );
      for (const client of clients) client.end();
      await until(
        () => cancelled() >= (batch + 1) * 20,
        () => `batch ${batch}'s 20 requests to be cancelled; ${cancelled()} in all so far`,
      );
    }
    expect((await get(`127.0.0.1:${port}`, "/0/still%20here")).body).toBe("still here");
    expect(cli.stderr()).toBe("");
  } finally {
    cli.process.kill("SIGKILL");
  }
});

it("out of descriptors, the server says so on stderr and what to do; it serves again once clients leave", async () => {
  const cli = runCli(["--port", "0", "--quiet"], { maxOpenFiles: 64 });
  const clients: Socket[] = [];
  try {
    const port = Number((await cli.waitFor(LISTENING))[1]);
    let unanswered = 0;
    // More clients than 64 descriptors can hold, each held for a minute.
    for (let i = 0; i < 80; i++) {
      const client = sendOn(port, `/60000/x${i}`);
      let answered = false;
      client.on("data", () => {
        answered = true;
      });
      client.on("close", () => {
        if (!answered) unanswered += 1;
      });
      clients.push(client);
    }
    const [warning] = await cli.waitForError(/^delayserver: cannot accept new connections.*\n/m);
    expect(warning).toMatch(/all 64 file descriptors that `ulimit -n` allows this process/);
    expect(warning).toMatch(/new connections are closed unanswered/);
    expect(warning).toMatch(/Raise the limit .*ulimit -n 65536/);
    // What it says is what happens: some of the 80 were turned away without a word.
    await until(
      () => unanswered > 0,
      () => "a connection to be closed unanswered",
    );
    for (const client of clients) client.destroy();
    // Until the server has seen them go, a new client may still be turned away: try again.
    let back = "";
    await within(
      (async () => {
        while (back === "") {
          back = await get(`127.0.0.1:${port}`, "/0/back").then(
            (a) => a.body,
            () => "",
          );
        }
      })(),
      5_000,
      "the server to answer again once its clients left",
    );
    expect(back).toBe("back");
  } finally {
    for (const client of clients) client.destroy();
    cli.process.kill("SIGKILL");
  }
});
