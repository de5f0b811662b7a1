import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../dist/stages.js";

// The book's own steps change 315 lines (a → b) and 310 (b → c). Ours may add what a
// JavaScript runtime needs, but a diff that grows past this stops reading like the chapter.
const LIMIT = 350;
const STEPS = [
  { from: "a-runtime", to: "b-reactor-executor" },
  { from: "b-reactor-executor", to: "c-runtime-executor" },
];

/** The lines `diff -ruN` adds or removes between two stages' src/ (headers excluded). */
function changedLines(from: string, to: string): number {
  const run = spawnSync("diff", ["-ruN", `${from}/src`, `${to}/src`], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (run.error !== undefined || (run.status ?? 2) > 1)
    throw new Error(`diff failed: ${run.stderr}`);
  return run.stdout.split("\n").filter((line) => /^[+-]/.test(line) && !/^(\+\+\+|---) /.test(line))
    .length;
}

describe("each step of the chapter is a diff of the book's size", () => {
  it.each(STEPS)(`$from → $to changes at most ${LIMIT} lines, as its README says`, (step) => {
    const changed = changedLines(step.from, step.to);
    expect(changed).toBeLessThanOrEqual(LIMIT);
    const readme = readFileSync(join(ROOT, step.to, "README.md"), "utf8");
    expect(readme).toContain(`It changes ${changed} lines`);
  });
});
