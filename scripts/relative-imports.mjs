// The last step of a workspace package's build: in its dist/, every import of another
// workspace package (`from "@ch08/std"`) becomes the relative path of the file Node would
// load for it (`from "../../std/dist/std.js"`).
//
//   node ../scripts/relative-imports.mjs        (in the package's folder, after tsc/rolldown)
//
// Why: Node 20 resolves a bare specifier afresh for every file that imports it, in
// JavaScript that is still cold at start-up — it looks for node_modules folders, reads
// package.json and its "exports", follows the pnpm symlink and builds URLs — about 0.2 ms
// each. Stage c's one-request program makes some thirty such imports across its files and
// the shared packages: about 8 ms of its 0.11 s of CPU (whole processes timed in 25 pairs). A relative
// import names the same real file, so each module is still loaded once, and src/ keeps
// the package names a reader expects. Packages outside the workspace (koffi) are left as
// they are.

import { readdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";

/**
 * A static import or re-export (a statement at the start of a line, as tsc and rolldown
 * write them: so a `from "@ch08/…"` in a doc comment is left alone), or a dynamic
 * `import("@ch08/…")`; the specifier is captured, with what comes before it.
 */
const WORKSPACE_IMPORT =
  /(^(?:import|export)\b[^;"]*?\bfrom\s*|^import\s*|\bimport\(\s*)"(@ch08\/[^"]+)"/gm;

/** Every .js file under `dir`. */
function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".js"))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/** Rewrites one file's workspace imports (and writes it only if one changed). */
function rewrite(file) {
  const source = readFileSync(file, "utf8");
  const resolveFrom = createRequire(file);
  const result = source.replace(WORKSPACE_IMPORT, (_match, lead, specifier) => {
    let target;
    try {
      target = realpathSync(resolveFrom.resolve(specifier));
    } catch (error) {
      throw new Error(
        `relative-imports: ${file} imports ${specifier}, which does not resolve ` +
          `(${error.code ?? error.message}); build that package first (pnpm build)`,
      );
    }
    let path = relative(dirname(realpathSync(file)), target);
    if (!path.startsWith(".")) path = `./${path}`;
    return `${lead}"${path}"`;
  });
  if (result !== source) writeFileSync(file, result);
}

for (const file of jsFiles(join(process.cwd(), "dist"))) rewrite(file);
