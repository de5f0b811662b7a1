import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Whether some src/*.ts has no dist/*.js or is newer than it. */
function distIsStale(): boolean {
  for (const name of readdirSync(`${root}src`, { recursive: true, encoding: "utf8" })) {
    if (!name.endsWith(".ts")) continue;
    const built = `${root}dist/${name.slice(0, -3)}.js`;
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(`${root}src/${name}`).mtimeMs) {
      return true;
    }
  }
  return false;
}

/** Builds dist/ when stale; under turbo it is already fresh, so this only reads mtimes. */
export default function setup(): void {
  if (!distIsStale()) return;
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
}
