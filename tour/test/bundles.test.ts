import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ROOT } from "../dist/stages.js";
import { reached, workspaceImports } from "./helpers/imports.js";

// The shared packages ship their dist/index.js bundled into one file (dist/std.js, …), so
// that Node loads one module instead of a dozen. A workspace package the bundle uses must
// stay an import: bundled in, it would be a second copy with state of its own. When
// @ch08/http began to use @ch08/std and its build was not told, its bundle carried a copy
// of std and of the trace recorder, and a traced program wrote its trace twice, the
// second time empty, over the first.

/** Each workspace package's folder and build script. */
function buildScripts(): { folder: string; build: string }[] {
  const found: { folder: string; build: string }[] = [];
  for (const entry of readdirSync(ROOT, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".") || entry.name === "node_modules")
      continue;
    try {
      const manifest = JSON.parse(readFileSync(join(ROOT, entry.name, "package.json"), "utf8"));
      const build = (manifest as { scripts?: { build?: string } }).scripts?.build ?? "";
      found.push({ folder: entry.name, build });
    } catch {
      // not a package
    }
  }
  return found;
}

/** Each package whose build bundles dist/index.js, and the file it bundles it into. */
function bundles(): { folder: string; bundle: string }[] {
  return buildScripts().flatMap(({ folder, build }) => {
    const bundle = /rolldown dist\/index\.js --file dist\/(\S+\.js)/.exec(build)?.[1];
    return bundle === undefined ? [] : [{ folder, bundle }];
  });
}

/** Each stage whose build runs scripts/bundle-stage.mjs: its bundle, and the modules it names as loaded by path on other threads. */
function stageBundles(): { folder: string; bundle: string; threadEntries: string[] }[] {
  return buildScripts().flatMap(({ folder, build }) => {
    const args = /bundle-stage\.mjs ([^&]+)/.exec(build)?.[1]?.trim().split(/\s+/);
    const [bundle, ...threadEntries] = args ?? [];
    return bundle === undefined ? [] : [{ folder, bundle, threadEntries }];
  });
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
      const expected = reached(join(dist, "index.js")).packages;
      const imported = [...workspaceImports(join(dist, bundle)).packages].sort();
      expect(imported).toEqual(expected);
    },
  );
});

// The stages bundle theirs too (scripts/bundle-stage.mjs), all but the modules another
// thread loads by path: those stay files that the bundle imports, so that no thread holds
// two copies of a runtime's state. These tests hold the bundles to that.
describe("the stages' bundles", () => {
  const all = stageBundles();

  /** What the bundle copied, from its source map: dist/ paths. */
  const copied = (folder: string, bundle: string): string[] => {
    const dist = join(ROOT, folder, "dist");
    const map = JSON.parse(readFileSync(join(dist, `${bundle}.map`), "utf8")) as {
      sources: string[];
    };
    return map.sources.map((source) => join(dist, source));
  };

  it("are found: stages a, b, c and d bundle their index, and export the bundle", () => {
    expect(all.map((b) => b.folder).sort()).toEqual([
      "a-runtime",
      "b-reactor-executor",
      "c-runtime-executor",
      "d-thread-poll-server",
    ]);
    for (const { folder, bundle } of all) {
      const manifest = JSON.parse(readFileSync(join(ROOT, folder, "package.json"), "utf8"));
      expect(manifest.exports["."].default).toBe(`./dist/${bundle}`);
    }
  });

  it.each(all)(
    "$folder's $bundle copies no module that another thread reaches",
    ({ folder, bundle, threadEntries }) => {
      const dist = join(ROOT, folder, "dist");
      const onOtherThreads = new Set<string>();
      for (const entry of threadEntries) {
        for (const file of reached(join(dist, entry)).files) onOtherThreads.add(file);
      }
      const inBundle = copied(folder, bundle);
      expect(inBundle.length).toBeGreaterThan(0);
      expect(inBundle.filter((file) => onOtherThreads.has(file))).toEqual([]);
      // and it imports those files it needs, as files: the package reaches what index.js reaches
      expect(reached(join(dist, bundle)).packages).toEqual(
        reached(join(dist, "index.js")).packages,
      );
    },
  );

  // A module that hands its own URL to another thread (startService(import.meta.url, …))
  // must stay a file: copied into the bundle, that URL would name the bundle. The one use
  // a copied module may make of it is main.js's "am I the program?" check.
  it.each(all)(
    "$folder's $bundle copies no module that names its own URL but to ask whether it is the program",
    ({ folder, bundle }) => {
      const misused = copied(folder, bundle).filter((file) => {
        const source = readFileSync(file, "utf8");
        const uses = source.match(/import\.meta\.url/g)?.length ?? 0;
        const checks =
          source.match(/import\.meta\.url === pathToFileURL\(process\.argv\[1\]/g)?.length ?? 0;
        return uses > checks;
      });
      expect(misused, "name these in the stage's build as loaded by path on other threads").toEqual(
        [],
      );
    },
  );

  it.each(all)("$folder's $bundle exports what dist/index.js exports", ({ folder, bundle }) => {
    const dist = join(ROOT, folder, "dist");
    const names = (file: string): string[] =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            "--input-type=module",
            "-e",
            `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(JSON.stringify(Object.keys(m).sort()))`,
          ],
          { encoding: "utf8", timeout: 20_000 },
        ),
      );
    expect(names(join(dist, bundle))).toEqual(names(join(dist, "index.js")));
  });
});
