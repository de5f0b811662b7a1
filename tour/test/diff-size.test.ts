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

/** `diff -ruN` between two stages' src/, as `pnpm diff` prints it. */
function diffOf(from: string, to: string): string {
  const run = spawnSync("diff", ["-ruN", `${from}/src`, `${to}/src`], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (run.error !== undefined || (run.status ?? 2) > 1)
    throw new Error(`diff failed: ${run.stderr}`);
  return run.stdout;
}

/** Its lines that add (`+`) or remove (`-`), headers excluded. */
const changes = (diff: string, sign: "+" | "-" | "+-"): number =>
  diff
    .split("\n")
    .filter((line) => sign.includes(line.charAt(0)) && line !== "" && !/^(\+\+\+|---) /.test(line))
    .length;

/** The lines `diff -ruN` adds or removes between two stages' src/ (headers excluded). */
const changedLines = (from: string, to: string): number => changes(diffOf(from, to), "+-");

describe("each step of the chapter is a diff of the book's size", () => {
  it.each(STEPS)(`$from → $to changes at most ${LIMIT} lines, as its README says`, (step) => {
    const changed = changedLines(step.from, step.to);
    expect(changed).toBeLessThanOrEqual(LIMIT);
    const readme = readFileSync(join(ROOT, step.to, "README.md"), "utf8");
    expect(readme).toContain(`It changes ${changed} lines`);
  });
});

describe("the step beyond the chapter (c → d) is the size its README says", () => {
  const diff = diffOf("c-runtime-executor", "d-thread-poll-server");
  // Line breaks as spaces: a figure may wrap anywhere in the prose.
  const readme = readFileSync(join(ROOT, "d-thread-poll-server", "README.md"), "utf8").replace(
    /\s+/g,
    " ",
  );
  // One section per file: `diff -ruN a/f b/f`, and a file new in d has an empty `a` side.
  const files = diff.split(/^diff -ruN /m).slice(1);

  it("in all: the lines added and removed, the files, and how many are new", () => {
    const fresh = files.filter((file) => /^--- \S+\s+1970-01-01/m.test(file)).length;
    const count = (n: number): string => n.toLocaleString("en-US");
    expect(readme).toContain(
      `In all, ${count(changes(diff, "+"))} lines are added and ${changes(diff, "-")} removed over ${files.length} files, of which ${fresh} are new.`,
    );
  });

  it("each of stage c's files that d changes: by how many lines", () => {
    const kept = files.filter((file) => !/^--- \S+\s+1970-01-01/m.test(file));
    expect(kept.length).toBeGreaterThan(0);
    for (const file of kept) {
      const name = /^\S+\/src\/(\S+)/.exec(file)?.[1] ?? "";
      const base = name.split("/").at(-1);
      expect(readme, name).toContain(`${base} by ${changes(file, "+-")}`);
    }
  });
});
