// `pnpm images` (tour/src/images.ts) redraws the READMEs' timelines from real runs; here it
// draws them into a scratch folder, so the committed pictures stay as they are.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, STAGES } from "../dist/stages.js";

const scratch = mkdtempSync(join(tmpdir(), "ch08-images-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("pnpm images", () => {
  it("draws one timeline per stage program from a real run", { timeout: 120_000 }, () => {
    const out = execFileSync(
      process.execPath,
      [join(ROOT, "tour", "dist", "images.js"), "--out", scratch],
      { encoding: "utf8", timeout: 110_000 },
    );
    for (const stage of STAGES) {
      const name = stage.key === "threads" ? "threads-timeline.svg" : "timeline.svg";
      expect(out).toContain(`wrote ${stage.folder}/${name}`);
      const svg = readFileSync(join(scratch, stage.folder, name), "utf8");
      expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
      expect(svg).toContain(stage.folder);
    }
  });
});
