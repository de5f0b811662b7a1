// A stage package's build step between tsc and relative-imports.mjs: bundles dist/index.js
// into one module, the file the package exports, and leaves as files the modules that
// other threads load by path.
//
//   node ../scripts/bundle-stage.mjs <bundle.js> [<module another thread loads by path> ...]
//
// Why: Node 20 loads an ES module graph one file at a time, and a reader's program pays
// for each file at start-up: stage d's one-request program spends 0.009 s less CPU with
// this bundle, stage c's 0.004 s (whole processes, 41 pairs each). The shared packages
// are bundled for the same reason (std.js, mio.js, …).
//
// What must stay a file: a module that another thread imports by its path (the reactor
// thread's `eventLoop`, an executor thread's entry) is loaded on that thread from dist/,
// with every module it imports. Were one of those copied into the bundle as well, a thread
// that loads both — an executor thread whose job module imports the package — would hold
// two copies of their state, each blind to the other. So the bundle imports those files
// and copies only the modules no other thread reaches. The target of a dynamic import()
// stays a file too, loaded only when asked for, as before. The bundle's source map lists
// what it copied (tour/test/bundles.test.ts checks it against the files kept).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";

const [bundle, ...threadEntries] = process.argv.slice(2);
if (bundle === undefined || !bundle.endsWith(".js")) {
  console.error("usage: node ../scripts/bundle-stage.mjs <bundle.js> [<module under dist/> ...]");
  process.exit(2);
}
const dist = resolve("dist");

/** Relative specifiers a dist module imports: statically (with `from`, or bare) and by import(). */
function relativeImports(file) {
  let source;
  try {
    source = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(
      `bundle-stage: cannot read ${relative(dist, file)} (${error.code ?? error.message}); ` +
        "is it a module under dist/ that tsc writes?",
    );
  }
  const fixed = [];
  for (const match of source.matchAll(
    /^(?:import|export)\s[^;]*?from\s+"(\.[^"]+)";|^import\s+"(\.[^"]+)";/gms,
  )) {
    fixed.push(join(dirname(file), match[1] ?? match[2]));
  }
  const dynamic = [];
  for (const match of source.matchAll(/\bimport\(\s*"(\.[^"]+)"\s*\)/g)) {
    dynamic.push(join(dirname(file), match[1]));
  }
  return { fixed, dynamic };
}

/** Adds `file` and every dist module it reaches by static imports to `into`. */
function keepWithImports(file, into) {
  if (into.has(file)) return;
  into.add(file);
  for (const next of relativeImports(file).fixed) keepWithImports(next, into);
}

// Files: what other threads reach, then whatever import() loads from the modules the bundle
// would copy (which may reach more), until nothing new is kept.
const kept = new Set();
for (const entry of threadEntries) keepWithImports(join(dist, entry), kept);
for (let grew = true; grew; ) {
  grew = false;
  const seen = new Set();
  const walk = (file) => {
    if (kept.has(file) || seen.has(file)) return;
    seen.add(file);
    const found = relativeImports(file);
    for (const target of found.dynamic) {
      if (!kept.has(target)) {
        keepWithImports(target, kept);
        grew = true;
      }
    }
    for (const next of found.fixed) walk(next);
  };
  walk(join(dist, "index.js"));
}

const { rolldown } = createRequire(join(process.cwd(), "package.json"))("rolldown");
const build = await rolldown({
  input: join(dist, "index.js"),
  platform: "node",
  // Packages (workspace ones included: relative-imports.mjs rewrites them next) and the
  // kept files stay imports. rolldown asks with the specifier as written, then resolved.
  external: (id, importer) => {
    if (isAbsolute(id)) return kept.has(id);
    if (!id.startsWith(".")) return true;
    return kept.has(join(dirname(importer ?? join(dist, "index.js")), id));
  },
});
const out = join(dist, bundle);
await build.write({ file: out, format: "esm", sourcemap: true });
await build.close();

// What the bundle still imports from dist/ must be kept files: anything else is a module
// it copied and names again, which a thread would load twice.
const { fixed, dynamic } = relativeImports(out);
for (const file of [...fixed, ...dynamic]) {
  if (!kept.has(file)) {
    throw new Error(`bundle-stage: ${bundle} both copies and imports ${relative(dist, file)}`);
  }
}
