import { spawn } from "node:child_process";
import { within } from "@ch08/delayserver/test/suites/client";
import { describe, expect, it } from "vitest";

// A signal that lands while the server's threads are still loading must not kill the
// process: a worker ended while koffi's native addon registers in it aborts everything
// ("FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw", exit 134). So this stops
// `pnpm serve` at delays swept across its start-up, measured from the moment its first
// thread starts, and wants every stop clean: exit 0, the summary line, no native abort.

const SERVE = new URL("../dist/serve.js", import.meta.url).pathname;
const ANNOUNCE = new URL("./helpers/announce-threads.mjs", import.meta.url).pathname;
/** How long one round (start, signal, stop) may take on a loaded 2-core machine. */
const ROUND_DEADLINE_MS = 20_000;

interface Round {
  /** Exit code, or the signal that ended the child. */
  exit: number | string;
  stdout: string;
  stderr: string;
  /** From the first thread's start to the banner, if the banner came before the signal. */
  bannerAfterMs: number | undefined;
}

/**
 * Runs `serve --threads N` and sends SIGTERM `delayMs` after its first thread starts, or
 * (`delayMs` undefined) as soon as its banner is out.
 */
function stopDuringStart(threads: number, delayMs: number | undefined): Promise<Round> {
  const child = spawn(
    process.execPath,
    ["--import", ANNOUNCE, SERVE, "--port", "0", "--quiet", "--threads", String(threads)],
    { stdio: ["ignore", "pipe", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  let firstThreadAt: number | undefined;
  let bannerAfterMs: number | undefined;
  child.stdout?.setEncoding("utf8").on("data", (text: string) => {
    stdout += text;
    if (bannerAfterMs === undefined && firstThreadAt !== undefined && /listening on/.test(stdout)) {
      bannerAfterMs = performance.now() - firstThreadAt;
      if (delayMs === undefined) child.kill("SIGTERM");
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
  });
  child.stdio[3]?.on("data", () => {
    if (firstThreadAt !== undefined) return;
    firstThreadAt = performance.now();
    if (delayMs !== undefined) setTimeout(() => child.kill("SIGTERM"), delayMs);
  });
  const exited = new Promise<Round>((resolve) => {
    child.once("exit", (code, signal) =>
      resolve({ exit: code ?? signal ?? "?", stdout, stderr, bannerAfterMs }),
    );
  });
  return within(
    exited,
    ROUND_DEADLINE_MS,
    () =>
      `serve --threads ${threads}, SIGTERM ${delayMs ?? "at the banner"} ms after its first thread, to exit`,
  ).catch((error: unknown) => {
    child.kill("SIGKILL");
    throw error;
  });
}

/** What a clean stop looks like, whenever the signal came. */
function expectCleanStop(round: Round, what: string): void {
  const report = `${what}\nstdout:\n${round.stdout}\nstderr:\n${round.stderr}`;
  expect(round.stderr, report).not.toMatch(/FATAL ERROR/);
  expect(round.exit, report).toBe(0);
  expect(round.stdout, report).toMatch(
    /serve: stopped \(SIGTERM\): 0 requests on 0 connections; nothing dropped/,
  );
}

describe("a SIGTERM at any moment of start-up", () => {
  // Two executor threads as `pnpm serve --threads 2` runs; eight widen the window in which
  // some thread is loading koffi, where the abort used to strike. Bounded rounds.
  for (const threads of [1, 2, 8]) {
    it(`serve --threads ${threads}: exits 0 with its summary, never a native abort`, async () => {
      // The first round lets it come up, to learn how long start-up takes here and now.
      const calibration = await stopDuringStart(threads, undefined);
      expectCleanStop(calibration, "stopped at its banner");
      expect(calibration.bannerAfterMs, "the banner before the signal").toBeDefined();
      const span = calibration.bannerAfterMs ?? 0;
      const rounds = threads === 1 ? 4 : 6;
      for (let round = 0; round < rounds; round++) {
        const delayMs = Math.round((round * span) / (rounds - 1));
        expectCleanStop(
          await stopDuringStart(threads, delayMs),
          `stopped ${delayMs} ms after its first thread (the banner came after ${Math.round(span)} ms)`,
        );
      }
    }, 240_000);
  }
});
