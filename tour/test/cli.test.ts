import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../dist/stages.js";

const cli = join(ROOT, "tour", "dist", "cli.js");
const diff = join(ROOT, "tour", "dist", "diff.js");

describe("pnpm start (the tour)", () => {
  it("--help lists the options", () => {
    const out = execFileSync(process.execPath, [cli, "--help"], {
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(out).toContain("--stage");
    expect(out).toContain("a, b, c, threads");
  });

  it("takes its options after a `--`, as `pnpm start -- --help` passes them", () => {
    const out = execFileSync(process.execPath, [cli, "--", "--help"], {
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(out).toContain("--stage");
  });

  it("--stage a runs stage a alone, plain text when piped, with a three-line summary", () => {
    const run = spawnSync(process.execPath, [cli, "--stage", "a"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Stage a: a-runtime");
    expect(run.stdout).toContain("Schedule other tasks");
    expect(run.stdout).not.toContain("Stage b");
    expect(run.stdout).not.toContain("\u001b[");
    const summary = run.stdout.slice(run.stdout.indexOf("Summary"));
    expect(summary).toMatch(
      /a +wall +\d+\.\d+ s\n +cpu +\d+\.\d+ s\n +polls 3 polls of the top-level future/,
    );
  });

  it.each([
    [["--bogus"], /^Unknown option '--bogus'; pnpm start -- --help lists the options\n$/],
    [["--stage"], /^Option '--stage <value>' argument missing; pnpm start -- --help/],
  ])("bad usage %j exits 2 and says where the options are listed", (args, said) => {
    const run = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 10_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(said);
  });

  it("pnpm images, given an option it does not take, exits 2 and says what it takes", () => {
    const images = join(ROOT, "tour", "dist", "images.js");
    const run = spawnSync(process.execPath, [images, "--bogus"], {
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^Unknown option '--bogus'; pnpm images takes only --out DIR/);
  });

  it("an unknown stage is a clear error", () => {
    const run = spawnSync(process.execPath, [cli, "--stage", "q"], {
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown stage");
  });
});

describe("pnpm diff", () => {
  it("prints exactly `diff -ruN a-runtime/src b-reactor-executor/src`, after one title line", () => {
    const out = execFileSync(process.execPath, [diff, "a", "b"], {
      encoding: "utf8",
      timeout: 10_000,
    });
    const expected = spawnSync("diff", ["-ruN", "a-runtime/src", "b-reactor-executor/src"], {
      cwd: ROOT,
      encoding: "utf8",
    }).stdout;
    expect(out.slice(out.indexOf("\n\n") + 2)).toBe(expected);
    expect(out).toContain("+++ b-reactor-executor/src/runtime/reactor.ts");
    expect(out).toContain("+  poll(waker: Waker): PollState<T>;");
  });

  it("ends quietly when its reader stops reading (`pnpm diff a b | head`)", () => {
    const run = spawnSync(
      "bash",
      ["-c", `set -o pipefail; "${process.execPath}" "${diff}" a b | head -1`],
      {
        encoding: "utf8",
        timeout: 10_000,
      },
    );
    expect(run.stdout).toMatch(/^diff a-runtime\/src → b-reactor-executor\/src/);
    expect(run.stderr).not.toContain("EPIPE");
    expect(run.status).toBe(0);
  });

  it.each([
    [["a", "x"]],
    [["--bogus"]],
    // A third stage is refused, not ignored: the diff shown would be a → b alone.
    [["a", "b", "c"]],
  ])("rejects %j with one usage line and exit 2, printing no diff", (args) => {
    const run = spawnSync(process.execPath, [diff, ...args], {
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^usage: pnpm diff FROM TO, [^\n]*\n$/);
    expect(run.stdout).toBe("");
  });

  it("titles a step with its section, and the same stages backwards as the step undone", () => {
    const title = (from: string, to: string): string | undefined =>
      execFileSync(process.execPath, [diff, from, to], { encoding: "utf8", timeout: 10_000 }).split(
        "\n",
      )[0];
    expect(title("a", "b")).toBe(
      "diff a-runtime/src → b-reactor-executor/src (Step 1 and Step 3: a Reactor and a Waker)",
    );
    expect(title("b", "a")).toBe(
      "diff b-reactor-executor/src → a-runtime/src (the reverse of Step 1 and Step 3: a Reactor and a Waker)",
    );
  });
});
