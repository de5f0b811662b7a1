// `pnpm test` at the root: runs the command it is given — package.json gives it turbo, every
// package's tests one package at a time (they share the machine's ports, threads and CPU) —
// then prints one line that sums them all. What a reader adds goes to turbo as well
// (`pnpm test --force` runs again what turbo has cached).
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { packagesWithTests, sumTestResults } from "./sum-test-results.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

// A report left by an earlier run must not be summed as this run's: turbo writes each
// package's report again, or restores it from its cache when nothing changed.
for (const dir of packagesWithTests())
  rmSync(join(root, dir, "test-results.json"), { force: true });

const [command = "turbo", ...args] = process.argv.slice(2);
const run = spawnSync(command, args, { cwd: root, stdio: "inherit" });
if (run.error) {
  console.error(
    `could not start ${command} (${run.error.message}): run this as \`pnpm test\`, after \`pnpm install\``,
  );
  process.exit(1);
}
// `pnpm test --filter …` runs some packages only: the others' missing reports are no failure.
const failed = sumTestResults({
  allAsked: !args.some((a) => a === "-F" || a.startsWith("--filter")),
});
process.exit(run.status !== 0 ? (run.status ?? 1) : failed > 0 ? 1 : 0);
