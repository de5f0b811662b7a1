import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { findStage, ROOT, STAGES } from "./stages.js";

// `pnpm diff a b`: what one step of the chapter changed, file by file.

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

/** Every file under `dir`, relative to it. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

const left = join(ROOT, from.folder, "src");
const right = join(ROOT, to.folder, "src");
const all = [...new Set([...files(left), ...files(right)])].sort();
const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
process.stdout.write(`diff ${from.folder}/src → ${to.folder}/src (${to.section})\n\n`);
for (const file of all) {
  const a = join(left, file);
  const b = join(right, file);
  // git is there (this is a clone); --no-index compares plain files, and exits 1 on a difference.
  const run = spawnSync(
    "git",
    [
      "diff",
      "--no-index",
      `--color=${color ? "always" : "never"}`,
      "--",
      relativeOr(a),
      relativeOr(b),
    ],
    // From the root with relative paths, the headers read a/a-runtime/src/… like any git diff.
    { encoding: "utf8", cwd: ROOT },
  );
  if (run.error !== undefined) {
    process.stderr.write(`could not run git: ${run.error.message}\n`);
    process.exit(1);
  }
  const state =
    run.stdout === "" ? "unchanged" : !exists(a) ? "new" : !exists(b) ? "removed" : "changed";
  process.stdout.write(`=== ${file} (${state})\n`);
  if (run.stdout !== "") process.stdout.write(`${run.stdout}\n`);
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The path from the repository root, or /dev/null for a file this side does not have. */
function relativeOr(path: string): string {
  return exists(path) ? relative(ROOT, path) : "/dev/null";
}
