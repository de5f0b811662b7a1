import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

interface Snapshot {
  fds?: Record<string, string>;
  threads: number;
}

describe("no fd or thread left behind", () => {
  it("after shutdown and the threads' exits, the process has the fds and threads it had before init", async () => {
    // In a child process: this one's thread and fd counts move with vitest's own work.
    const { stdout } = await run(
      process.execPath,
      [new URL("./helpers/leaks.mjs", import.meta.url).pathname],
      { timeout: 20_000 },
    );
    const { before, during, after } = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as {
      before: Snapshot;
      during: Snapshot;
      after: Snapshot;
    };
    console.log(
      `threads: ${before.threads} before init, ${during.threads} running, ${after.threads} after; ` +
        `fds: ${Object.keys(before.fds ?? {}).length} before, ${Object.keys(after.fds ?? {}).length} after`,
    );
    // While running: the reactor thread and two executor threads.
    expect(during.threads).toBeGreaterThanOrEqual(before.threads + 3);
    expect(after.threads).toBe(before.threads);
    // Every epoll instance, eventfd and socket the runtime opened is closed again.
    expect(after.fds).toEqual(before.fds);
  });
});
