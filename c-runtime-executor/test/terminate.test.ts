import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

// A worker terminated while koffi's native addon registers in it aborts the whole
// process. Every thread the runtime starts therefore has a state cell that leaves
// STARTING once it has loaded; terminating it, and exiting the process, wait for that.

const helper = (name: string) => new URL(`./helpers/${name}`, import.meta.url).pathname;

describe("ending threads while they load", () => {
  it("terminating an executor thread at any moment of its start never aborts the process", () => {
    const run = spawnSync(process.execPath, [helper("terminate-loop.mjs"), "40"], {
      encoding: "utf8",
      timeout: 110_000,
    });
    expect(run.stderr).not.toContain("FATAL ERROR");
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^terminated \d+$/m);
  }, 120_000);

  it("a program that fails while its threads load exits with its own error, not an abort", () => {
    // The abort needs the exit to meet a thread mid-load: try moments across its load time.
    for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
      const run = spawnSync(process.execPath, [helper("exit-while-loading.mjs"), `${fraction}`], {
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(run.stderr, `spin ${fraction} of a load`).not.toContain("FATAL ERROR");
      expect(run.signal).toBeNull();
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("the program fails while its threads load");
    }
  }, 180_000);
});
