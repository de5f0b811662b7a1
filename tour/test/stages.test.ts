import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findStage, ROOT, STAGES } from "../dist/stages.js";

describe("the tour's stage table", () => {
  it("names a built program for every stage", () => {
    for (const stage of STAGES) {
      expect(
        existsSync(join(ROOT, stage.folder, "src", stage.script.replace(/\.js$/, ".ts"))),
      ).toBe(true);
    }
  });

  it("finds stages by key and by folder, and nothing else", () => {
    expect(findStage("b")?.folder).toBe("b-reactor-executor");
    expect(findStage("c-runtime-executor")?.key).toBe("c");
    expect(findStage("z")).toBeUndefined();
  });
});
