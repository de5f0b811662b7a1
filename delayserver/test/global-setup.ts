import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Rebuilds dist/ when src/ is newer, with the rule every package's `pnpm test` uses
 * (scripts/fresh.mjs: this package's own build script, after any stale dependency). Under
 * `pnpm test` it is fresh already and this only reads mtimes; it is for `npx vitest`.
 */
export default function setup(): void {
  execFileSync(process.execPath, [`${root}../scripts/fresh.mjs`], { cwd: root, stdio: "inherit" });
}
