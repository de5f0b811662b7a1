import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

const std = String(new URL("../dist/index.js", import.meta.url));

/** Runs `code` in a child whose stdout and stderr nobody reads for `holdMs`; what came out. */
function runHeld(
  code: string,
  holdMs: number,
): Promise<{ stdout: number; stderr: number; status: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const counts = { stdout: 0, stderr: 0 };
    const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000);
    setTimeout(() => {
      child.stdout.on("data", (chunk: Buffer) => {
        counts.stdout += chunk.length;
      });
      child.stderr.on("data", (chunk: Buffer) => {
        counts.stderr += chunk.length;
      });
    }, holdMs);
    child.once("error", reject);
    child.once("close", (status) => {
      clearTimeout(deadline);
      resolve({ ...counts, status });
    });
  });
}

describe("writeAll", () => {
  it("writes everything through a full pipe that Node made non-blocking, and the program goes on", async () => {
    // Touching process.stdout or process.stderr makes a piped fd non-blocking: a plain
    // writeSync then fails with EAGAIN once the pipe's 64 KiB are full.
    const code =
      `import { writeAll } from ${JSON.stringify(std)};` +
      "process.stdout; process.stderr;" +
      "const line = 'x'.repeat(1023) + '\\n';" +
      "for (let i = 0; i < 1024; i++) { writeAll(1, line); writeAll(2, line); }" +
      "process.exitCode = 7;";
    const { stdout, stderr, status } = await runHeld(code, 300);
    expect({ stdout, stderr, status }).toEqual({ stdout: 1 << 20, stderr: 1 << 20, status: 7 });
  });

  it("stops writing, not the program, when nobody reads any more (EPIPE)", async () => {
    const code =
      `import { writeAll } from ${JSON.stringify(std)};` +
      "writeAll(1, 'x'.repeat(1 << 20));" +
      "process.exitCode = 7;";
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout.destroy(); // the reader goes away at once, as `| head` does when it is done
    const status = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(status).toBe(7);
  });
});
