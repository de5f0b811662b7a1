// What a built module loads: its static imports, followed through the package's own files.
// The bundle tests and the reactor-thread test read dist/ with it.
import { readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { ROOT } from "../../dist/stages.js";

/** The workspace packages (by folder) that `file`'s own static imports name, and the files of its own package it imports. */
export function workspaceImports(file: string): { packages: Set<string>; local: string[] } {
  const source = readFileSync(file, "utf8");
  const packages = new Set<string>();
  const local: string[] = [];
  // Static imports and re-exports: what Node loads with the module (`import type` is gone from dist).
  for (const match of source.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)";/gms)) {
    const specifier = match[1] ?? "";
    if (!specifier.startsWith(".")) continue; // node: modules, koffi
    // The build writes a workspace package as the relative path of its file: one that
    // leaves this package's folder names another package (by its folder).
    const target = join(dirname(file), specifier);
    const [own, other] = [file, target].map((path) => relative(ROOT, path).split(sep)[0]);
    if (other !== own) packages.add(other ?? "");
    else local.push(target);
  }
  return { packages, local };
}

/** The package's own files that `entry` reaches (itself included), and the workspace packages (by folder) they import. */
export function reached(entry: string): { files: Set<string>; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const found = workspaceImports(file);
    for (const name of found.packages) packages.add(name);
    for (const next of found.local) visit(next);
  };
  visit(entry);
  return { files, packages: [...packages].sort() };
}
