import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DelayServer } from "@ch08/delayserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "./helpers/index.js";

// A reactor thread that cannot start must say so, not leave the executor parked forever
// waiting for wakes (its worker's 'error' event would need the parked thread's event loop).

const packageDir = join(import.meta.dirname, "..");
// Inside the package, so the copies still resolve @ch08/* through node_modules.
const broken = join(packageDir, "test-broken-dist");
const brokenUnbundled = join(packageDir, "test-broken-dist-unbundled");
let server: DelayServer;

/**
 * A copy of the build whose reactor module loads on the main thread but not on the
 * reactor thread, broken only in the file that thread starts from: its prebuilt bundle
 * (`reactor.thread.cjs`), or, with the bundle removed, `reactor.js`. Were the thread to
 * load the other file, it would start, and the program would not fail.
 */
function breakReactorThread(copy: string, bundled: boolean): void {
  rmSync(copy, { recursive: true, force: true });
  cpSync(join(packageDir, "dist"), copy, { recursive: true });
  const failHere = `throw new Error("this build of reactor.js cannot load here");\n`;
  const bundle = join(copy, "runtime", "reactor.thread.cjs");
  if (bundled) {
    // In the bundle, the reactor module's code runs when the thread entry imports it.
    const source = readFileSync(bundle, "utf8");
    const reactorInit = /^var init_reactor = .*\n/m;
    expect(source).toMatch(reactorInit);
    writeFileSync(
      bundle,
      source.replace(reactorInit, (line) => line + failHere),
    );
    return;
  }
  rmSync(bundle);
  const reactorJs = join(copy, "runtime", "reactor.js");
  writeFileSync(
    reactorJs,
    `import { isMainThread } from "node:worker_threads";\nif (!isMainThread) ${failHere}` +
      readFileSync(reactorJs, "utf8"),
  );
}

beforeAll(async () => {
  server = await startServer();
  breakReactorThread(broken, true);
  breakReactorThread(brokenUnbundled, false);
});

afterAll(async () => {
  rmSync(broken, { recursive: true, force: true });
  rmSync(brokenUnbundled, { recursive: true, force: true });
  await server.close();
});

describe("a reactor thread that cannot start", () => {
  it.each([
    ["its prebuilt bundle", broken],
    ["reactor.js, with no bundle", brokenUnbundled],
  ])(
    "fails the program with a message that says what to do, and the process ends (%s)",
    (_, copy) => {
      const run = spawnSync(process.execPath, [join(copy, "main.js")], {
        env: { ...process.env, DELAYSERVER: server.address },
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(run.signal).toBeNull();
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("reactor thread failed");
      expect(run.stderr).toContain("reactor.js");
      expect(run.stderr).toContain("the reactor thread could not start");
      expect(run.stderr).toContain("pnpm build");
    },
  );
});

describe("a reactor thread that cannot start for want of file descriptors", () => {
  it("says EMFILE, not that the build is incomplete", () => {
    // How many descriptors a thread needs to load differs from machine to machine (11
    // here, fewer where libuv opens fewer for its loop): so walk down from plenty, one
    // descriptor at a time, to the first count that is not enough, and read what it said.
    const starve = (free: number): string => {
      const run = spawnSync(
        process.execPath,
        [join(import.meta.dirname, "helpers", "fd-starved.mjs"), String(free)],
        { encoding: "utf8", timeout: 30_000 },
      );
      expect(run.signal).toBeNull();
      return run.stdout.trim().split("\n").at(-1) ?? "";
    };
    expect(starve(32)).toBe("started");
    let said = "started";
    for (let free = 16; free >= 4 && said === "started"; free--) said = starve(free);
    expect(said).toMatch(/^ThreadStartError: the reactor thread /);
    expect(said).toMatch(/EMFILE|file descriptors/);
    expect(said).not.toMatch(/pnpm build/);
  });
});
