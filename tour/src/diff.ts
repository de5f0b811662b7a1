import { spawnSync } from "node:child_process";
import { findStage, ROOT, STAGES } from "./stages.js";

// `pnpm diff a b`: what one step of the chapter changed — `diff -ruN` of the two src/.

// `pnpm diff a b | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const args = process.argv.slice(2).filter((arg) => arg !== "--");
const [fromKey = "a", toKey = "b"] = args;
const from = findStage(fromKey);
const to = findStage(toKey);
// A third argument is refused, not ignored: `pnpm diff a b c` would show only a → b.
if (args.length > 2 || from === undefined || to === undefined || from.folder === to.folder) {
  const keys = STAGES.filter((s) => s.key !== "threads").map((s) => s.key);
  process.stderr.write(
    `usage: pnpm diff FROM TO, with two different stages of ${keys.join(", ")} (e.g. pnpm diff a b)\n`,
  );
  process.exit(2);
}

const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
// A stage's section is the step that leads to it; given backwards (`pnpm diff b a`), the
// diff takes that step back, and the title says so rather than name it as the step.
const step =
  STAGES.indexOf(from) < STAGES.indexOf(to) ? to.section : `the reverse of ${from.section}`;
process.stdout.write(`diff ${from.folder}/src → ${to.folder}/src (${step})\n\n`);
// Exactly `diff -ruN FROM/src TO/src`, run from the root so the headers name the stages:
// the diff the READMEs count (its + and − lines are the chapter's step).
const run = spawnSync(
  "diff",
  ["-ruN", ...(color ? ["--color=always"] : []), `${from.folder}/src`, `${to.folder}/src`],
  { encoding: "utf8", cwd: ROOT },
);
if (run.error !== undefined || (run.status ?? 2) > 1) {
  process.stderr.write(`could not run diff: ${run.error?.message ?? run.stderr}\n`);
  process.exit(1);
}
process.stdout.write(run.stdout);
