// Sums every package's vitest JSON report into the one closing line CI reads.
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const workspace = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
const packages = [...workspace.matchAll(/^\s+-\s+(\S+)\s*$/gm)]
  .map((m) => m[1])
  .filter((dir) => existsSync(join(root, dir, "package.json")));

let passed = 0;
let failed = 0;
const missing = [];
// CI keeps only the tail of the log: name each failure here, with the first lines of why.
const failures = [];
for (const dir of packages) {
  const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
  if (!pkg.scripts?.test) continue;
  const report = join(root, dir, "test-results.json");
  if (!existsSync(report)) {
    missing.push(dir);
    continue;
  }
  const r = JSON.parse(readFileSync(report, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  for (const file of r.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (test.status !== "failed") continue;
      const why = (test.failureMessages ?? []).join("\n").split("\n").slice(0, 6).join("\n    ");
      failures.push(`${relative(root, file.name)}: ${test.fullName}\n    ${why}`);
    }
  }
}
for (const failure of failures) console.log(`FAILED ${failure}`);
if (missing.length > 0) {
  console.log(`no test report from: ${missing.join(", ")} (their test run did not finish)`);
  failed += missing.length;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
