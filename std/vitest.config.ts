import { defineConfig } from "vitest/config";

// Every package writes test-results.json; the root `pnpm test` sums them into one closing line.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
