import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../dist/stages.js";

// The shared packages ship their dist/index.js bundled into one file (dist/std.js, …), so
// that Node loads one module instead of a dozen. A workspace package the bundle uses must
// stay an import: bundled in, it would be a second copy with state of its own. When
// @ch08/http began to use @ch08/std and its build was not told, its bundle carried a copy
// of std and of the trace recorder, and a traced program wrote its trace twice, the
// second time empty, over the first.

/** Each package whose build bundles dist/index.js, and the file it bundles it into. */
function bundles(): { folder: string; bundle: string }[] {
  const found: { folder: string; bundle: string }[] = [];
  for (const entry of readdirSync(ROOT, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".") || entry.name === "node_modules")
      continue;
    let build = "";
    try {
      const manifest = JSON.parse(readFileSync(join(ROOT, entry.name, "package.json"), "utf8"));
      build = (manifest as { scripts?: { build?: string } }).scripts?.build ?? "";
    } catch {
      continue; // not a package
    }
    const bundle = /rolldown dist\/index\.js --file dist\/(\S+\.js)/.exec(build)?.[1];
    if (bundle !== undefined) found.push({ folder: entry.name, bundle });
  }
  return found;
}

/** The workspace packages (by folder) that `file`'s own static imports name. */
function workspaceImports(file: string): { packages: Set<string>; local: string[] } {
  const source = readFileSync(file, "utf8");
  const packages = new Set<string>();
  const local: string[] = [];
  for (const match of source.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)";/gms)) {
    const specifier = match[1] ?? "";
    const other = /^\.\.\/\.\.\/([\w-]+)\/dist\//.exec(specifier)?.[1];
    if (other !== undefined) packages.add(other);
    else if (specifier.startsWith(".")) local.push(join(dirname(file), specifier));
  }
  return { packages, local };
}

/** The workspace packages that `entry` reaches through the package's own files. */
function reachedPackages(entry: string): string[] {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const found = workspaceImports(file);
    for (const name of found.packages) packages.add(name);
    for (const next of found.local) visit(next);
  };
  visit(entry);
  return [...packages].sort();
}

describe("the shared packages' bundles", () => {
  const all = bundles();

  it("are found: http, mio, std and trace bundle their index", () => {
    expect(all.map((b) => b.folder).sort()).toEqual(["http", "mio", "std", "trace"]);
  });

  it.each(all)(
    "$folder's $bundle imports every workspace package its files import, copying none",
    ({ folder, bundle }) => {
      const dist = join(ROOT, folder, "dist");
      const expected = reachedPackages(join(dist, "index.js"));
      const imported = [...workspaceImports(join(dist, bundle)).packages].sort();
      expect(imported).toEqual(expected);
    },
  );
});
