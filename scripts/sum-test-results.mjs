// Sums every package's vitest JSON report into one closing line: `N passed, N failed`.
// `pnpm test` (scripts/test-all.mjs) prints it last; .ci/run prints it again after pnpm's
// own lines, as the line CI reads.
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The workspace's package folders that have a test script, as pnpm-workspace.yaml lists them. */
export function packagesWithTests() {
  const workspace = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  return [...workspace.matchAll(/^\s+-\s+(\S+)\s*$/gm)]
    .map((m) => m[1])
    .filter((dir) => existsSync(join(root, dir, "package.json")))
    .filter(
      (dir) => JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")).scripts?.test,
    );
}

/**
 * Prints each failure, the packages with no report, and the closing line; returns the
 * failed count. A package with no report failed to finish, unless only some were asked for.
 */
export function sumTestResults({ allAsked = true } = {}) {
  let passed = 0;
  let failed = 0;
  const missing = [];
  // CI keeps only the tail of the log: name each failure here, with the first lines of why.
  const failures = [];
  for (const dir of packagesWithTests()) {
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
  if (missing.length > 0 && allAsked) {
    console.log(`no test report from: ${missing.join(", ")} (their test run did not finish)`);
    failed += missing.length;
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(sumTestResults() > 0 ? 1 : 0);
}
