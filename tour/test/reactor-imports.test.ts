import { readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../dist/stages.js";

// The reactor thread of stages b, c and d starts by importing its stage's
// dist/runtime/reactor.js, and every module that file reaches is loaded and compiled on
// that thread before its first epoll_wait: each one is start-up a reader pays for. The
// thread needs mio, std and the trace, never the executor nor the HTTP leaf (which the
// executor imports for `println`): about 5 ms of a one-request program, measured.
const STAGES = ["b-reactor-executor", "c-runtime-executor", "d-thread-poll-server"];

/** A module's static imports and re-exports (what Node loads with it; `import type` is gone from dist). */
function staticImports(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of source.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)";/gms)) {
    found.push(match[1] ?? "");
  }
  return found;
}

/** The name of the workspace package that holds `file`. */
function packageOf(file: string): string {
  const folder = relative(ROOT, file).split(sep)[0] ?? "";
  const manifest = JSON.parse(readFileSync(join(ROOT, folder, "package.json"), "utf8"));
  return (manifest as { name: string }).name;
}

/** The stage's files (relative to dist/) and the packages that `entry` reaches by static imports. */
function reached(stage: string, entry: string): { files: string[]; packages: string[] } {
  const dist = join(ROOT, stage, "dist");
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of staticImports(file)) {
      if (!specifier.startsWith(".")) {
        packages.add(specifier);
        continue;
      }
      // The build writes imports of other workspace packages as relative paths
      // (scripts/relative-imports.mjs): one that leaves this dist/ names a package.
      const target = join(dirname(file), specifier);
      if (target.startsWith(dist + sep)) visit(target);
      else packages.add(packageOf(target));
    }
  };
  visit(join(dist, entry));
  return { files: [...files].map((f) => relative(dist, f)).sort(), packages: [...packages].sort() };
}

describe("the reactor thread loads only what its loop needs", () => {
  it.each(STAGES)("%s: runtime/reactor.js reaches neither the executor nor @ch08/http", (stage) => {
    const { files, packages } = reached(stage, "runtime/reactor.js");
    expect(files).toContain("runtime/reactor.js");
    expect(files).not.toContain("runtime/executor.js");
    expect(packages).toContain("@ch08/mio");
    expect(packages).not.toContain("@ch08/http");
  });

  it("sees an import the executor makes (the walk itself works)", () => {
    const { files, packages } = reached("c-runtime-executor", "runtime/executor.js");
    expect(files).toContain("runtime/reactor.js");
    expect(packages).toContain("@ch08/http");
  });
});
