// Makes `pnpm test` and `pnpm start` in a package folder run what src/ says now.
//
//   node ../scripts/fresh.mjs                     rebuild what is stale, then exit
//   node ../scripts/fresh.mjs dist/main.js ARGS   rebuild what is stale, then run the program
//                                                 in this same Node process
//   node ../scripts/fresh.mjs --check             say what is stale, build nothing (exit 1 if any)
//
// A package is stale when a file under its src/ (or its tsconfig*.json or
// package.json) is newer than the newest file in its dist/, when dist/ still holds the
// output of a source that is gone (it is deleted before the build), or when a workspace
// package it depends on was built after it. Its workspace dependencies are checked first, in
// dependency order, so a change in http/src or mio/src reaches a stage's `pnpm start` too.
// Checking costs a few hundred stat calls; a fresh tree starts the program at once, with
// no turbo and no second Node process. Building runs the stale package's own `build`
// script (tsc, then a bundling step for most) in the package's folder, which
// is where pnpm runs a package's scripts.

import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Where a build writes its stamp: its mtime says when dist/ was last made whole. */
const STAMP = ".fresh";

/** The folder holding pnpm-workspace.yaml, from `start` upwards. */
export function workspaceRoot(start) {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    if (dirname(dir) === dir) {
      throw new Error(`fresh: no pnpm-workspace.yaml above ${start}; run it inside the repository`);
    }
  }
}

/** Every workspace package: name → { name, dir, manifest }. */
export function workspacePackages(root) {
  const yaml = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  const section = yaml.split(/^packages:\s*$/m)[1] ?? "";
  const entries = [];
  for (const line of section.split("\n")) {
    const item = /^\s+-\s+["']?([^"'\s#]+)["']?/.exec(line);
    if (item) entries.push(item[1]);
    else if (/^\S/.test(line)) break; // the next top-level key ends the list
  }
  const dirs = entries.flatMap((entry) =>
    entry.endsWith("/*")
      ? readdirSync(join(root, entry.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => join(root, entry.slice(0, -2), d.name))
      : [join(root, entry)],
  );
  const packages = new Map();
  for (const dir of dirs) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    packages.set(manifest.name, { name: manifest.name, dir, manifest });
  }
  return packages;
}

/** The package in `dir` and every workspace package it depends on, dependencies first. */
export function buildOrder(packages, dir) {
  const target = [...packages.values()].find((p) => resolve(p.dir) === resolve(dir));
  if (target === undefined) {
    throw new Error(`fresh: ${dir} is not a workspace package (see pnpm-workspace.yaml)`);
  }
  const order = [];
  const seen = new Set();
  const visit = (pkg) => {
    if (seen.has(pkg.name)) return;
    seen.add(pkg.name);
    for (const dep of workspaceDependencies(pkg)) {
      const found = packages.get(dep);
      if (found !== undefined) visit(found);
    }
    order.push(pkg);
  };
  visit(target);
  return order;
}

function workspaceDependencies(pkg) {
  const all = { ...pkg.manifest.dependencies, ...pkg.manifest.devDependencies };
  return Object.entries(all)
    .filter(([, spec]) => typeof spec === "string" && spec.startsWith("workspace:"))
    .map(([name]) => name);
}

/**
 * The newest mtime (ms) of the files at or under `path`; 0 when there are none. Folders'
 * own times do not count: copying a tree, or a checkout, touches them without changing code.
 * `visit`, if given, sees each file's path relative to `path` on the way.
 */
function newest(path, visit, relative = "") {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) {
    visit?.(relative);
    return stat.mtimeMs;
  }
  let latest = 0;
  for (const name of readdirSync(path)) {
    const below = relative === "" ? name : join(relative, name);
    latest = Math.max(latest, newest(join(path, name), visit, below));
  }
  return latest;
}

/**
 * One walk of dist/: `builtAt`, its newest file's mtime (0 if none), and `orphans`, what
 * tsc left there for a source that is gone from src/ (deleted or renamed). tsc never
 * deletes an output, so a test or program could still import the old code; orphans are
 * found by their declarations, which tsc writes for every source and the bundlers for none.
 */
function inspectDist(dir) {
  const orphans = [];
  const builtAt = newest(join(dir, "dist"), (name) => {
    if (!name.endsWith(".d.ts")) return;
    const base = name.slice(0, -".d.ts".length);
    if (!existsSync(join(dir, "src", `${base}.ts`))) orphans.push(base);
  });
  return { builtAt, orphans };
}

/** Deletes every output tsc made from `base` (a path under dist/ without its extension). */
function removeOutputs(dir, base) {
  for (const ext of [".js", ".js.map", ".d.ts", ".d.ts.map"]) {
    rmSync(join(dir, "dist", `${base}${ext}`), { force: true });
  }
  // A folder of sources that is gone entirely goes too.
  for (let folder = dirname(join(dir, "dist", base)); folder !== join(dir, "dist"); ) {
    if (readdirSync(folder).length > 0) break;
    rmdirSync(folder);
    folder = dirname(folder);
  }
}

function buildable(pkg) {
  return existsSync(join(pkg.dir, "tsconfig.build.json")) && existsSync(join(pkg.dir, "src"));
}

/** The stale packages of `order`, in order, each with the reason it is stale. */
export function stalePackages(order) {
  const built = new Map();
  const stale = [];
  for (const pkg of order) {
    if (!buildable(pkg)) continue;
    const { builtAt: at, orphans: gone } = inspectDist(pkg.dir);
    let reason;
    if (at === 0) reason = "never built";
    else {
      const sources = Math.max(
        newest(join(pkg.dir, "src")),
        newest(join(pkg.dir, "package.json")),
        ...readdirSync(pkg.dir)
          .filter((f) => /^tsconfig.*\.json$/.test(f))
          .map((f) => newest(join(pkg.dir, f))),
      );
      if (sources > at) reason = "src/, a tsconfig or package.json changed since its build";
      else if (gone.length > 0) reason = `src/${gone[0]}.ts is gone, its dist/ output is not`;
      else {
        const newer = workspaceDependencies(pkg).find((dep) => (built.get(dep) ?? 0) > at);
        if (newer !== undefined) reason = `${newer} was built after it`;
      }
    }
    // A package about to be rebuilt counts as built now, for the packages that follow it.
    built.set(pkg.name, reason === undefined ? at : Number.POSITIVE_INFINITY);
    if (reason !== undefined) stale.push({ pkg, reason });
  }
  return stale;
}

/** Sleeps `ms` without an event loop (the lock wait below happens before any program runs). */
function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Builds one package; concurrent callers (turbo runs tests in parallel) take turns. */
async function build(pkg) {
  const lock = join(pkg.dir, ".fresh-lock");
  const asked = Date.now();
  let waited = false;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      // A build takes seconds; a lock a minute old was left by a process that was killed.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 60_000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      waited = true;
      sleep(50);
    }
  }
  try {
    // Another process built it while this one waited for the lock: nothing left to do.
    const dist = inspectDist(pkg.dir);
    if (waited && dist.builtAt >= asked) return;
    for (const base of dist.orphans) removeOutputs(pkg.dir, base);
    // The package's own build script, as `pnpm build` would run it (mio's also bundles
    // after tsc), with the package's tools first on PATH.
    const script = JSON.parse(readFileSync(join(pkg.dir, "package.json"), "utf8")).scripts?.build;
    if (typeof script !== "string") throw new Error(`fresh: ${pkg.name} has no build script`);
    const bin = join(pkg.dir, "node_modules", ".bin");
    const run = spawnSync("sh", ["-c", script], {
      cwd: pkg.dir,
      stdio: ["ignore", 2, 2],
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` },
    });
    if (run.status !== 0) {
      throw new Error(
        `fresh: building ${pkg.name} failed (${run.error?.message ?? `build exit ${run.status}`}); fix the errors above and run again`,
      );
    }
    writeFileSync(join(pkg.dir, "dist", STAMP), "");
  } finally {
    rmdirSync(lock);
  }
}

/** Rebuilds what is stale for the package in `dir`; returns the names it rebuilt. */
export async function ensureFresh(dir, { log = () => {} } = {}) {
  const root = workspaceRoot(dir);
  const order = buildOrder(workspacePackages(root), dir);
  const rebuilt = [];
  for (const { pkg, reason } of stalePackages(order)) {
    // Staleness is decided again just before each build: an earlier build changes it.
    log(`fresh: building ${pkg.name} (${reason})`);
    const started = performance.now();
    await build(pkg);
    log(`fresh: built ${pkg.name} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    rebuilt.push(pkg.name);
  }
  return rebuilt;
}

async function main() {
  const args = process.argv.slice(2);
  const dir = process.cwd();
  const say = (line) => process.stderr.write(`${line}\n`);
  if (args[0] === "--check") {
    const stale = stalePackages(buildOrder(workspacePackages(workspaceRoot(dir)), dir));
    for (const { pkg, reason } of stale) say(`stale: ${pkg.name} (${reason})`);
    process.exitCode = stale.length === 0 ? 0 : 1;
    return;
  }
  await ensureFresh(dir, { log: say });
  const [program, ...rest] = args;
  if (program === undefined) return;
  // pnpm passes a literal `--` through (`pnpm start -- --generator`); the programs parse
  // their own options, so hand them exactly what they would get from `node program …`.
  const programPath = resolve(dir, program);
  process.argv = [process.argv[0] ?? process.execPath, programPath, ...rest];
  await import(pathToFileURL(programPath).href);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
