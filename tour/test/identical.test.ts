import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../dist/stages.js";

// Files that the chapter does not change from one stage to the next stay byte-identical,
// so that `pnpm diff` shows only the step. A change to one copy must reach the others.
const IDENTICAL: readonly { readonly file: string; readonly stages: readonly string[] }[] = [
  { file: "future.ts", stages: ["b-reactor-executor", "c-runtime-executor"] },
  { file: "http.ts", stages: ["b-reactor-executor", "c-runtime-executor"] },
];

describe("files the chapter leaves unchanged", () => {
  it.each(IDENTICAL)("$file is the same in $stages", ({ file, stages }) => {
    const [first, ...rest] = stages.map((stage) =>
      readFileSync(join(ROOT, stage, "src", file), "utf8"),
    );
    for (const copy of rest) expect(copy).toBe(first);
  });
});
