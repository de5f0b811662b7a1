import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";
import { get, raw, within } from "@ch08/delayserver/test/suites/client";
import { describe, expect, it } from "vitest";
import { startServer } from "../dist/server/start.js";
import { accepting } from "./helpers/ports.js";

const SERVE = new URL("../dist/serve.js", import.meta.url).pathname;

for (const threads of [1, 2]) {
  describe(`stop (threads: ${threads})`, () => {
    it("stops accepting, lets an in-flight answer finish, drops nothing", async () => {
      const server = await startServer({ port: 0, threads, quiet: true, graceMs: 5000 });
      const held = get(server.address, "/300/in%20flight", { deadlineMs: 5000 });
      // Let the request arrive before asking to stop.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const summary = await server.stop();
      expect((await held).body).toBe("in flight");
      expect(summary).toMatchObject({ requests: 1, droppedAnswers: 0, droppedConnections: 0 });
      expect(await accepting(server.port)).toBe(false);
    });

    it("at the deadline, drops what is still owed and says how much", async () => {
      const server = await startServer({ port: 0, threads, quiet: true, graceMs: 100 });
      const held = get(server.address, "/60000/never", { deadlineMs: 5000 }).catch(
        (error: Error) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const summary = await within(server.stop(), 5000, "stop with a 100 ms grace");
      expect(summary.droppedAnswers).toBe(1);
      // The client sees its connection closed without an answer.
      expect(await held).toBeInstanceOf(Error);
    });

    it("closes idle keep-alive connections at once", async () => {
      const server = await startServer({ port: 0, threads, quiet: true });
      const socket = connect({ host: "127.0.0.1", port: server.port });
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      socket.on("error", () => {});
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const summary = await within(server.stop(), 5000, "stop with an idle connection");
      await within(closed, 2000, "the idle connection to be closed");
      expect(summary.droppedAnswers).toBe(0);
    });
  });
}

/** Starts `node dist/serve.js args`, resolving with the child once its banner is out. */
async function serve(
  args: string[],
): Promise<{ child: ChildProcess; out: () => string; port: number }> {
  const child = spawn(process.execPath, [SERVE, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (s: string) => {
    out += s;
  });
  child.stderr?.setEncoding("utf8").on("data", (s: string) => {
    out += s;
  });
  const port = await within(
    new Promise<number>((resolve) => {
      const check = setInterval(() => {
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m !== null) {
          clearInterval(check);
          resolve(Number(m[1]));
        }
      }, 20);
    }),
    10_000,
    () => `pnpm serve's banner; it printed:\n${out}`,
  );
  return { child, out: () => out, port };
}

function exitOf(child: ChildProcess): Promise<number | string> {
  return within(
    new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "?"))),
    10_000,
    "pnpm serve to exit",
  );
}

describe("pnpm serve on a signal", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal}: lets the in-flight request finish, prints what was dropped (nothing), exits 0`, async () => {
      const { child, out, port } = await serve(["--port", "0"]);
      const held = get(`127.0.0.1:${port}`, "/300/last", { deadlineMs: 5000 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      child.kill(signal);
      expect((await held).body).toBe("last");
      expect(await exitOf(child)).toBe(0);
      expect(out()).toMatch(/#1 - 300ms: last/);
      expect(out()).toMatch(
        new RegExp(`stopped \\(${signal}\\): 1 request on 1 connection; nothing dropped\n`),
      );
    });
  }

  it("counts in words that agree with the numbers: 2 requests on 1 connection", async () => {
    const { child, out, port } = await serve(["--port", "0", "--quiet"]);
    // Two requests pipelined on one keep-alive connection, both answered before the stop.
    const request = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
    const answers = await raw(port, request("/10/first") + request("/10/second"), {
      until: (text) => text.includes("second"),
    });
    expect(answers).toContain("first");
    child.kill("SIGINT");
    expect(await exitOf(child)).toBe(0);
    expect(out()).toMatch(/stopped \(SIGINT\): 2 requests on 1 connection; nothing dropped\n/);
  });

  it("a SIGINT relayed by a parent (pnpm) right after the terminal's is the same Ctrl-C: exit 0", async () => {
    const { child, port } = await serve(["--port", "0"]);
    const held = get(`127.0.0.1:${port}`, "/300/relayed", { deadlineMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill("SIGINT");
    expect((await held).body).toBe("relayed");
    expect(await exitOf(child)).toBe(0);
  });

  it("-- --grace 100 with a long request: drops it, says so, exits 0 (two executor threads)", async () => {
    // The leading `--` is what `pnpm serve -- --grace 100` passes on.
    const args = ["--", "--port", "0", "--threads", "2", "--grace", "100"];
    const { child, out, port } = await serve(args);
    const held = get(`127.0.0.1:${port}`, "/30000/long", { deadlineMs: 5000 }).catch(
      () => "dropped",
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill("SIGINT");
    expect(await exitOf(child)).toBe(0);
    expect(await held).toBe("dropped");
    expect(out()).toMatch(
      /1 request on 1 connection; dropped 1 answer still owed and 0 connections never served\n/,
    );
  });

  it("--help's usage line names every option its list explains", async () => {
    const child = spawn(process.execPath, [SERVE, "--help"], { stdio: ["ignore", "pipe", "pipe"] });
    let help = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      help += s;
    });
    expect(await exitOf(child)).toBe(0);
    const usage = /^usage: pnpm serve (.*)$/m.exec(help)?.[1] ?? "";
    const listed = [...help.matchAll(/^ {2}(?:-h, )?(--[a-z-]+)( [A-Z]+)?/gm)].map(
      ([, name, value]) => `[${name}${value ?? ""}]`,
    );
    expect(listed).toContain("[--grace MS]");
    // --help itself is how the text was printed; the usage line lists what a run takes.
    expect(usage.split(/ (?=\[)/)).toEqual(listed.filter((option) => option !== "[--help]"));
  });

  it.each([
    [["--threads", "0"], /--threads takes a whole number from 1 to 32, got "0"/],
    // A value that starts with a dash is a value, as for `pnpm delayserver`, not an
    // option that node:util's parseArgs would call ambiguous.
    [["--port", "-5"], /--port takes a whole number from 0 to 65535, got "-5"/],
    [["--max-delay", "-1"], /--max-delay takes a whole number from 0 to 2147483647, got "-1"/],
    [["--grace", "--quiet"], /--grace needs a value: a whole number of milliseconds/],
  ])("bad usage %j exits 2 with a message that says what to pass", async (args, said) => {
    const child = spawn(process.execPath, [SERVE, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      err += s;
    });
    expect(await exitOf(child)).toBe(2);
    expect(err).toMatch(said);
    expect(err).toMatch(/; see --help\n$/);
  });

  it("a CH08_EXPERIMENT no stage knows is refused before the server starts, exit 1", async () => {
    const child = spawn(process.execPath, [SERVE, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CH08_EXPERIMENT: "unbounded" },
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      out += s;
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      out += s;
    });
    expect(await exitOf(child)).toBe(1);
    expect(out).toMatch(
      /^serve: CH08_EXPERIMENT=unbounded is not an experiment.*unbounded-wait; unset it to run without one\n$/,
    );
  });
});
