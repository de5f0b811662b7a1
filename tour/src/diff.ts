import { spawnSync } from "node:child_process";
import { findStage, ROOT, STAGES } from "./stages.js";

// `pnpm diff a b`: what one step of the chapter changed — `diff -ruN` of the two src/.

// `pnpm diff a b | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const [fromKey = "a", toKey = "b"] = process.argv.slice(2).filter((arg) => arg !== "--");
const from = findStage(fromKey);
const to = findStage(toKey);
if (from === undefined || to === undefined || from.folder === to.folder) {
  const keys = STAGES.filter((s) => s.key !== "threads").map((s) => s.key);
  process.stderr.write(
    `usage: pnpm diff FROM TO, with two different stages of ${keys.join(", ")} (e.g. pnpm diff a b)\n`,
  );
  process.exit(2);
}

const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
process.stdout.write(`diff ${from.folder}/src → ${to.folder}/src (${to.section})\n\n`);
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
