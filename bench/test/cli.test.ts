// The command line alone: a bad one is refused before anything is measured, in two lines
// (what is wrong, where the options are listed), and --help names the command as a reader
// runs it. The runs themselves are smoke.test.ts's.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

const bench = (args: readonly string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 30_000 });

describe("pnpm bench's command line", () => {
  it.each([
    [["--bogus"], "bench: Unknown option '--bogus'"],
    [["quick"], "bench: Unexpected argument 'quick'"],
    [["--only", "9"], "bench: --only takes section numbers from 1 to 8"],
    [
      ["--only", "4", "--out", "elsewhere"],
      "bench: --only writes nothing: leave out --render and --out",
    ],
    [["--warmup", "x"], "bench: --warmup wants a whole number of batches, got x"],
  ])("refuses %j in one line, then points at --help, exit 2", (args, said) => {
    const run = bench(args);
    expect(run.status).toBe(2);
    const lines = run.stderr.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain(said);
    expect(lines[1]).toBe("pnpm bench --help lists the options");
    expect(lines[2]).toBe("");
    expect(run.stdout).toBe("");
  });

  it("--help names the command as run from the root, and from bench/ after a build", () => {
    const run = bench(["--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: pnpm bench \[options\] /);
    expect(run.stdout).toMatch(
      /\n {7}node dist\/cli\.js \[options\] +from bench\/, after a build\n/,
    );
    for (const option of ["--quick", "--only", "--out", "--warmup", "--profile", "--render"]) {
      expect(run.stdout).toContain(`\n  ${option} `);
    }
    expect(run.stdout).toContain("\n  -h, --help ");
  });
});
