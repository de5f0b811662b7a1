import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../dist/stages.js";
import { reached } from "./helpers/imports.js";

// The reactor thread of stages b, c and d starts by importing its stage's
// dist/runtime/reactor.js, and every module that file reaches is loaded and compiled on
// that thread before its first epoll_wait: each one is start-up a reader pays for. The
// thread needs mio, std and the trace, never the executor nor the HTTP leaf (which the
// executor imports for `println`): about 5 ms of a one-request program, measured.
const STAGES = ["b-reactor-executor", "c-runtime-executor", "d-thread-poll-server"];

/** The stage's files (relative to dist/) that `entry` reaches, and the workspace packages (by folder) they import. */
function reachedFrom(stage: string, entry: string): { files: string[]; packages: string[] } {
  const dist = join(ROOT, stage, "dist");
  const { files, packages } = reached(join(dist, entry));
  return { files: [...files].map((f) => relative(dist, f)).sort(), packages };
}

describe("the reactor thread loads only what its loop needs", () => {
  it.each(STAGES)("%s: runtime/reactor.js reaches neither the executor nor @ch08/http", (stage) => {
    const { files, packages } = reachedFrom(stage, "runtime/reactor.js");
    expect(files).toContain("runtime/reactor.js");
    expect(files).not.toContain("runtime/executor.js");
    expect(packages).toContain("mio");
    expect(packages).not.toContain("http");
  });

  it("sees an import the executor makes (the walk itself works)", () => {
    const { files, packages } = reachedFrom("c-runtime-executor", "runtime/executor.js");
    expect(files).toContain("runtime/reactor.js");
    expect(packages).toContain("http");
  });
});
