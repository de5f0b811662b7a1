import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// A program that only makes requests must not pay at start-up for the server: Node loads
// ES modules file by file, and each one, with the builtins it brings, costs start-up time
// (bench section 3 measures it). The server's modules, the node:http delayserver's, and
// node:http, node:net and node:v8 load only when a server or a job queue is started.

const STAGE = fileURLToPath(new URL("..", import.meta.url));
const HOOK = new URL("./helpers/log-loads.mjs", import.meta.url).href;

/**
 * What importing `specifier` loads: our files (URLs), Node's builtin modules, and the
 * files that import a workspace package by its name (each such import is resolved afresh).
 */
function loadsOf(specifier: string): { files: string[]; builtins: string[]; byName: string[] } {
  const program = `
    import { register } from "node:module";
    register(${JSON.stringify(HOOK)});
    const before = new Set(process.moduleLoadList);
    await import(${JSON.stringify(specifier)});
    console.log(JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m))));
  `;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", program], {
    cwd: STAGE,
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const files = [...run.stderr.matchAll(/^loaded (file:\S+)$/gm)].map((m) => m[1] ?? "");
  const byName = [...run.stderr.matchAll(/^by name (\S+) from (\S+)$/gm)].map(
    (m) => `${m[1]} from ${m[2]}`,
  );
  const builtins = (JSON.parse(run.stdout) as string[])
    .filter((m) => m.startsWith("NativeModule "))
    .map((m) => m.slice("NativeModule ".length));
  return { files, builtins, byName };
}

describe("start-up: what importing the stage loads", () => {
  const { files, builtins, byName } = loadsOf("@ch08/d-thread-poll-server");

  it("loads the runtimes and the shared packages", () => {
    expect(files.some((url) => url.endsWith("/d-thread-poll-server/dist/runtime/local.js"))).toBe(
      true,
    );
    expect(files.some((url) => url.endsWith("/mio/dist/mio.js"))).toBe(true);
  });

  it("loads none of the server's modules, nor the node:http delayserver's", () => {
    expect(files.filter((url) => url.includes("/dist/server/"))).toEqual([]);
    expect(files.filter((url) => url.includes("/delayserver/"))).toEqual([]);
  });

  it("loads not the book's example program (main.js), which a program of its own does not run", () => {
    expect(files.filter((url) => url.endsWith("/d-thread-poll-server/dist/main.js"))).toEqual([]);
  });

  it("loads neither node:http, node:net nor node:v8", () => {
    expect(builtins.filter((name) => ["http", "net", "v8"].includes(name))).toEqual([]);
  });

  it("finds the workspace's files by relative path, not by package name (the build's last step)", () => {
    // Only the program's own import names the stage; every import inside dist/ was
    // rewritten by scripts/relative-imports.mjs, sparing Node's resolver about 0.2 ms each.
    expect(
      byName.filter((line) => !line.endsWith("from (entry)") && line.includes("/dist/")),
    ).toEqual([]);
    expect(byName.some((line) => line.startsWith("@ch08/d-thread-poll-server from"))).toBe(true);
  });
});

describe("start-up: what the server loads", () => {
  it("its protocol, not the node:http delayserver (`pnpm serve` starts without node:http)", () => {
    const { files, builtins } = loadsOf("./dist/server/start.js");
    expect(files.some((url) => url.endsWith("/delayserver/dist/protocol.js"))).toBe(true);
    expect(files.filter((url) => url.endsWith("/delayserver/dist/server.js"))).toEqual([]);
    expect(builtins.filter((name) => ["http", "net"].includes(name))).toEqual([]);
  });
});
