// `pnpm test` and `pnpm start` in a package folder run what src/ says now, a workspace
// dependency's src/ included (scripts/fresh.mjs). Proved on a scratch copy of the
// repository: change sources there, run the package's own scripts through pnpm, see the change.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DelayServer, startDelayServerThread } from "@ch08/delayserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../dist/stages.js";

const scratch = mkdtempSync(join(tmpdir(), "ch08-fresh-"));
let server: DelayServer;

/** The environment of a reader's terminal (see readme-commands.test.ts for why). */
function readerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(TURBO_|VITEST|npm_|pnpm_|NODE_OPTIONS$|FORCE_COLOR$|NODE_ENV$)/i.test(k)) env[k] = v;
  }
  return { ...env, DELAYSERVER: server.address, NO_COLOR: "1" };
}

/** The workspace's package folders, as pnpm-workspace.yaml lists them. */
function packageFolders(): string[] {
  const yaml = readFileSync(join(ROOT, "pnpm-workspace.yaml"), "utf8");
  const list = yaml.split(/^packages:\s*$/m)[1]?.split(/^\S/m)[0] ?? "";
  return [...list.matchAll(/^\s+-\s+(\S+)/gm)].map((m) => m[1] ?? "");
}

/** Replaces `from` by `to` in every .ts file under `dir`; returns how many files changed. */
function replaceIn(dir: string, from: string, to: string): number {
  let changed = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const path = join(dir, name);
    if (!name.endsWith(".ts") || !statSync(path).isFile()) continue;
    const text = readFileSync(path, "utf8");
    if (text.includes(from)) {
      writeFileSync(path, text.replaceAll(from, to));
      changed++;
    }
  }
  return changed;
}

function pnpm(args: string[], folder: string) {
  return spawnSync("pnpm", args, {
    cwd: join(scratch, folder),
    env: readerEnv(),
    encoding: "utf8",
    timeout: 150_000,
  });
}

beforeAll(async () => {
  server = await startDelayServerThread({ port: 0, quiet: true });
  // The copy keeps every file's time, so only what the test changes is newer than dist/;
  // node_modules stay pnpm's links, into the real store through a linked root node_modules.
  for (const file of ["package.json", "pnpm-workspace.yaml", "tsconfig.base.json"]) {
    cpSync(join(ROOT, file), join(scratch, file), { preserveTimestamps: true });
  }
  cpSync(join(ROOT, "scripts"), join(scratch, "scripts"), {
    recursive: true,
    preserveTimestamps: true,
  });
  symlinkSync(join(ROOT, "node_modules"), join(scratch, "node_modules"));
  for (const folder of packageFolders()) {
    cpSync(join(ROOT, folder), join(scratch, folder), {
      recursive: true,
      preserveTimestamps: true,
      verbatimSymlinks: true,
      filter: (source) => !/[/\\](\.turbo|\.vite[^/\\]*|test-results\.json|results)$/.test(source),
    });
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("fresh builds for pnpm start and pnpm test in a package folder", () => {
  it("a fresh copy has nothing to rebuild", () => {
    const check = spawnSync(process.execPath, ["../scripts/fresh.mjs", "--check"], {
      cwd: join(scratch, "a-runtime"),
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  it("pnpm start prints what the stage's src/ and http/src say now", { timeout: 180_000 }, () => {
    expect(
      replaceIn(join(scratch, "a-runtime", "src"), "Program starting", "Program BEGINS"),
    ).toBeGreaterThan(0);
    // The leaf future's message: in @ch08/http, or in the stage's own http.ts.
    const leaf = ["http", "a-runtime"].reduce(
      (n, folder) =>
        n + replaceIn(join(scratch, folder, "src"), "FIRST POLL - START", "FIRST POLL - BEGIN"),
      0,
    );
    expect(leaf).toBeGreaterThan(0);
    const run = pnpm(["start"], "a-runtime");
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("Program BEGINS");
    expect(run.stdout).not.toContain("Program starting");
    expect(run.stdout).toContain("FIRST POLL - BEGIN OPERATION");
    expect(run.stderr).toMatch(/fresh: building @ch08\/a-runtime/);
  });

  it("pnpm test tests what src/ says now, a dependency's src/ included", {
    timeout: 180_000,
  }, () => {
    writeFileSync(
      join(scratch, "a-runtime", "src", "fresh-probe.ts"),
      `/** Written by tour/test/fresh.test.ts. */\nexport const probe = "stage";\n`,
    );
    writeFileSync(
      join(scratch, "mio", "src", "fresh-probe.ts"),
      `/** Written by tour/test/fresh.test.ts. */\nexport const probe = "mio";\n`,
    );
    writeFileSync(
      join(scratch, "a-runtime", "test", "fresh-probe.test.ts"),
      [
        `import { expect, it } from "vitest";`,
        `import { probe as stage } from "../dist/fresh-probe.js";`,
        `import { probe as mio } from "../../mio/dist/fresh-probe.js";`,
        `it("sees both", () => expect([stage, mio]).toEqual(["stage", "mio"]));`,
        "",
      ].join("\n"),
    );
    const run = pnpm(["test", "test/fresh-probe.test.ts"], "a-runtime");
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain("1 passed");
    expect(run.stderr).toMatch(/fresh: building @ch08\/mio/);
  });
  it("a source that is gone takes its dist/ output with it", { timeout: 60_000 }, () => {
    // Left by the test above: built into a-runtime/dist from a-runtime/src/fresh-probe.ts.
    const built = join(scratch, "a-runtime", "dist", "fresh-probe.js");
    expect(statSync(built).isFile()).toBe(true);
    rmSync(join(scratch, "a-runtime", "src", "fresh-probe.ts"));
    rmSync(join(scratch, "a-runtime", "test", "fresh-probe.test.ts"));
    const run = spawnSync(process.execPath, ["../scripts/fresh.mjs"], {
      cwd: join(scratch, "a-runtime"),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain("src/fresh-probe.ts is gone");
    expect(
      readdirSync(join(scratch, "a-runtime", "dist")).filter((f) => f.startsWith("fresh-probe")),
    ).toEqual([]);
  });
});
