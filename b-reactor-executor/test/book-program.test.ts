import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { DelayServer } from "@ch08/delayserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asyncMain, runtime } from "../dist/index.js";
import { capture, freshRuntime, maskDate, startServer } from "./helpers/index.js";

// The book's program, end to end: what it prints, that it exits by itself, and that it
// sleeps (rather than spins) while the delayserver holds its answers.

const SLEEP = "main: 1 pending tasks. Sleep until notified.";

const RESPONSE = [
  "HTTP/1.1 200 OK",
  "Content-Type: text/plain; charset=utf-8",
  "Content-Length: 15",
  "Date: <masked>",
  "Connection: close",
  "",
  "HelloAsyncAwait",
];

/** The book's output for stage b, line by line, with the Date header masked. */
const BOOK_LINES = [
  "Program starting",
  "FIRST POLL - START OPERATION",
  SLEEP,
  ...RESPONSE,
  "FIRST POLL - START OPERATION",
  SLEEP,
  ...RESPONSE,
  "main: All tasks are finished",
];

/**
 * The lines with each run of repeated "Sleep until notified" lines cut to one. A repeat is
 * a spurious wake, which the Future contract allows: when the first response's FIN
 * arrives as an event of its own after its data (edge-triggered epoll, EPOLLRDHUP), its
 * wake can land after the executor was woken for the data, so its next park returns at
 * once and it polls again for nothing. Rare when idle, common on a loaded machine; the
 * book's runtime on Rust's mio (which registers reads the same way) can see it too.
 */
function withoutRepeatedSleeps(all: string[]): string[] {
  return all.filter((line, i) => !(line === SLEEP && all[i - 1] === SLEEP));
}

/** Output as lines: CRLF (the HTTP response prints as received) and a final newline dropped. */
function lines(text: string): string[] {
  return maskDate(text.replace(/\r\n/g, "\n")).replace(/\n$/, "").split("\n");
}

let server: DelayServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  runtime.shutdown();
  await server.close();
});

describe("node dist/main.js", () => {
  it("prints the book's lines and exits by itself with code 0", async () => {
    const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      // The timeout kills a program whose reactor thread would keep it alive.
      execFile(
        process.execPath,
        [main],
        { env: { ...process.env, DELAYSERVER: server.address }, timeout: 15_000 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
          resolve({ code, stdout, stderr });
        },
      );
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const printed = lines(stdout);
    if (printed.length !== BOOK_LINES.length) console.log("main.js had a spurious wake:", printed);
    expect(withoutRepeatedSleeps(printed)).toEqual(BOOK_LINES);
  });
});

describe("asyncMain in this process", () => {
  it("prints the same lines and uses far less CPU than wall time while it waits", () => {
    const executor = freshRuntime();
    const printed = capture();
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    try {
      expect(executor.blockOn(asyncMain(), { timeoutMs: 10_000 })).toBe("");
    } finally {
      printed.release();
    }
    const wallMs = performance.now() - wallBefore;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(
      `asyncMain: wall ${wallMs.toFixed(0)} ms, CPU ${cpuMs.toFixed(1)} ms ` +
        `(${((100 * cpuMs) / wallMs).toFixed(1)}% of wall), polls ${executor.polls}, parks ${executor.parks}`,
    );
    expect(withoutRepeatedSleeps(lines(`${printed.lines.join("\n")}\n`))).toEqual(BOOK_LINES);
    // The delayserver holds each answer (600 + 400 ms): the whole run is at least that.
    expect(wallMs).toBeGreaterThanOrEqual(1000);
    // A busy-polling executor would burn a whole core for the whole wait (ratio ~1).
    expect(cpuMs).toBeLessThan(wallMs / 4);
    // Polled at start, then once per response (plus a spurious wake, at times): never
    // without a wake to account for it.
    expect(executor.polls).toBeGreaterThanOrEqual(3);
    expect(executor.polls).toBeLessThanOrEqual(1 + runtime.reactor().stats().wakes);
    expect(executor.parks).toBe(executor.polls - 1);
  });
});
