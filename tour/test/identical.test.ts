import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../dist/stages.js";

// Files that the chapter does not change from one stage to the next stay byte-identical,
// so that `pnpm diff` shows only the step. A change to one copy must reach the others.
const IDENTICAL: readonly { readonly file: string; readonly stages: readonly string[] }[] = [
  { file: "future.ts", stages: ["b-reactor-executor", "c-runtime-executor"] },
  { file: "http.ts", stages: ["b-reactor-executor", "c-runtime-executor"] },
];

const STAGE_FOLDERS = ["a-runtime", "b-reactor-executor", "c-runtime-executor"];

/** The stage's source files, relative to its src/. */
function sources(stage: string): string[] {
  const dir = join(ROOT, stage, "src");
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
}

const read = (stage: string, file: string) => readFileSync(join(ROOT, stage, "src", file), "utf8");

describe("files the chapter leaves unchanged", () => {
  it.each(IDENTICAL)("$file is the same in $stages", ({ file, stages }) => {
    const [first, ...rest] = stages.map((stage) => read(stage, file));
    for (const copy of rest) expect(copy).toBe(first);
  });

  it("the list above names every file that two neighbouring stages share unchanged", () => {
    const shared: string[] = [];
    for (let i = 0; i + 1 < STAGE_FOLDERS.length; i++) {
      const [left = "", right = ""] = STAGE_FOLDERS.slice(i, i + 2);
      const theirs = new Set(sources(right));
      for (const file of sources(left)) {
        if (theirs.has(file) && read(left, file) === read(right, file)) {
          shared.push(`${file}: ${left}, ${right}`);
        }
      }
    }
    const listed = IDENTICAL.flatMap(({ file, stages }) =>
      stages.slice(1).map((stage, i) => `${file}: ${stages[i]}, ${stage}`),
    );
    expect(shared.sort()).toEqual(listed.sort());
  });
});
