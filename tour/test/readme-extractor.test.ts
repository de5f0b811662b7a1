// The README conventions, one by one, on small hand-written READMEs.
import { describe, expect, it } from "vitest";
import {
  ciCommands,
  ciRuns,
  extractCommands,
  fixedPorts,
  missingLine,
  splitComment,
  substitutePorts,
  testMentions,
} from "../dist/readme-commands.js";

const fence = "```";

describe("reading commands from a README", () => {
  it("strips a trailing comment, but not a # inside quotes or a word", () => {
    expect(splitComment(`pnpm start   # the tour`)).toEqual({
      command: "pnpm start",
      comment: "the tour",
    });
    expect(splitComment(`echo "a # b" x#y`).command).toBe(`echo "a # b" x#y`);
  });

  it("classifies by the comment: Ctrl-C runs in the foreground; CI and tested-by exempt", () => {
    const text = [
      `${fence}sh`,
      "# a comment line is not a command",
      "pnpm delayserver --port 8080   # until Ctrl-C",
      "pnpm test                      # CI runs this",
      "pnpm bench                     # tested by bench/test/smoke.test.ts",
      "pnpm start",
      fence,
    ].join("\n");
    const [server, test, bench, start] = extractCommands("x/README.md", text);
    expect(server?.kind).toBe("foreground");
    expect(test?.exemptBy).toBe("ci");
    expect(bench?.exemptBy).toEqual({ test: "bench/test/smoke.test.ts" });
    expect(start).toMatchObject({ kind: "run", cwd: "x", line: 6 });
  });

  it("runs from the root from the line that says so to the end of its block", () => {
    const text = [
      `${fence}sh`,
      "pnpm a",
      "pnpm b   # from the repository root",
      "pnpm c",
      fence,
      `${fence}sh`,
      "pnpm d",
      fence,
    ].join("\n");
    expect(extractCommands("pkg/README.md", text).map((c) => c.cwd)).toEqual([
      "pkg",
      "",
      "",
      "pkg",
    ]);
  });

  it("takes a plain block right after as the output; prose between breaks the link", () => {
    const adjacent = [`${fence}sh`, "pnpm a", "pnpm b", fence, "", fence, "out", fence].join("\n");
    const [a, b] = extractCommands("README.md", adjacent);
    expect(a?.expected).toBeUndefined();
    expect(b?.expected).toEqual(["out"]);
    const apart = [`${fence}sh`, "pnpm a", fence, "It prints:", fence, "out", fence].join("\n");
    expect(extractCommands("README.md", apart)[0]?.expected).toBeUndefined();
    const ts = [`${fence}sh`, "pnpm a", fence, `${fence}ts`, "x", fence].join("\n");
    expect(extractCommands("README.md", ts)[0]?.expected).toBeUndefined();
  });
});

describe("checking what a command printed", () => {
  it("wants every line in order; … stands for anything", () => {
    const printed = "header\nwall  2.46 s\nbody\nfooter\n";
    expect(missingLine(["header", "wall  … s", "…", "footer"], printed)).toBeUndefined();
    expect(missingLine(["footer", "header"], printed)).toBe("header");
    expect(missingLine(["wall  … ms"], printed)).toBe("wall  … ms");
  });

  it("finds fixed ports and replaces them everywhere in the block", () => {
    const text = "pnpm delayserver --port 8080\ncurl localhost:8080/1/x\nhttp://127.0.0.1:18080";
    expect(fixedPorts(text).sort()).toEqual([18080, 8080].sort());
    expect(
      substitutePorts(
        text,
        new Map([
          [8080, 40001],
          [18080, 40002],
        ]),
      ),
    ).toBe("pnpm delayserver --port 40001\ncurl localhost:40001/1/x\nhttp://127.0.0.1:40002");
  });
});

describe("exemptions", () => {
  const ci = ciCommands(
    [
      `npm install -g "pnpm@$pnpm_version" --no-fund >/dev/null || exit 1`,
      "# pnpm bench is not here",
      "pnpm install --frozen-lockfile || exit 1",
      "pnpm test",
    ].join("\n"),
  );
  const root = { test: "turbo run test --continue", bench: "node bench.js" };

  it("holds when .ci/run runs each part, extra options and $variables allowed", () => {
    expect(ciRuns("npm install -g pnpm@10.34.9", "", ci, root)).toBe(true);
    expect(ciRuns("pnpm install && pnpm test", "", ci, root)).toBe(true);
    expect(ciRuns("pnpm bench", "", ci, root)).toBe(false);
    expect(ciRuns("npm install -g yarn@1", "", ci, root)).toBe(false);
  });

  it("counts a package's script as run when the root's runs it in every package", () => {
    expect(ciRuns("pnpm test", "a-runtime", ci, root)).toBe(true);
    expect(ciRuns("pnpm --filter @ch08/http test", "http", ci, root)).toBe(true);
    expect(ciRuns("pnpm bench", "bench", ci, root)).toBe(false);
    const filtered = "pnpm --filter @ch08/http test";
    const wrapped = { test: "node scripts/test-all.mjs turbo run test --continue" };
    expect(ciRuns(filtered, "http", ci, wrapped)).toBe(true);
    expect(ciRuns(filtered, "http", ci, { test: "node x.mjs turbo run tests" })).toBe(false);
  });

  it("wants the named test to mention the script and each option", () => {
    expect(testMentions("pnpm bench --quick", `run(cli, ["--quick"]) // pnpm bench`)).toBe(true);
    expect(testMentions("pnpm bench --quick", `run(cli) // pnpm bench`)).toBe(false);
    expect(testMentions("pnpm images", `it("draws")`)).toBe(false);
  });
});
