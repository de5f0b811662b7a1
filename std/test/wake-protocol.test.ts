import { describe, expect, it } from "vitest";
import {
  type Check,
  finalState,
  missingTools,
  SPIN_PACKAGE,
  VERIFY_TIMEOUT_MS,
  verify,
} from "./helpers/spin.js";

// The wake protocol of stages b and c (park token, ready queue, waker table against the
// reactor), modelled in std/model/*.pml and checked in every interleaving by spin.

const missing = missingTools();
const install = `sudo apt-get install -y ${SPIN_PACKAGE}${missing.includes("gcc") ? " gcc" : ""}`;
const required = process.env.CI === "true";
if (missing.length > 0 && !required) {
  console.warn(
    `wake-protocol: skipped, ${missing.join(" and ")} not found; install Debian's ` +
      `"${SPIN_PACKAGE}" package to run it: ${install}`,
  );
}

const both: readonly Check[] = ["safety", "liveness"];

/** The models as they are in the code, and what each is verified for. */
const models: { model: string; checks: readonly Check[] }[] = [
  { model: "executor.pml", checks: both },
  { model: "reactor.pml", checks: both },
  // The mutex has no LTL property: its lost wake is an invalid end state.
  { model: "mutex.pml", checks: ["safety"] },
];

/**
 * A thread left asleep forever in the final state of a counterexample: the executor in
 * park (only it sets `waiting`, and it sleeps right after), or a mutex waiter while the
 * lock is free. That is the lost wake-up itself, not some other way of getting stuck.
 */
function leftAsleep(trail: string, model: string): boolean {
  const { values, running } = finalState(trail);
  if (model === "mutex.pml") {
    const sleeper = [0, 1, 2].some((thread) => values.get(`asleep[${thread}]`) === 1);
    return running.includes("Locker") && sleeper && values.get("cell") === 0;
  }
  return running.includes("Executor") && values.get("waiting") === 1;
}

/** Known bad orders, each put back into a model by a -D macro. */
const badVariants: { model: string; define: string; why: string; checks: readonly Check[] }[] = [
  { model: "reactor.pml", define: "WAKER_AFTER_REGISTER", why: "waker stored after registering" },
  { model: "executor.pml", define: "UNPARK_BEFORE_PUSH", why: "unpark before push" },
  { model: "reactor.pml", define: "UNPARK_BEFORE_PUSH", why: "the reactor unparks before push" },
  { model: "executor.pml", define: "PARK_WITHOUT_TOKEN", why: "a park with no token" },
  { model: "reactor.pml", define: "PARK_WITHOUT_TOKEN", why: "a park with no token" },
].map((variant) => ({ ...variant, checks: both }));
badVariants.push({
  // Safety only, like the mutex: the end-state check already finds this one.
  model: "reactor.pml",
  define: "WAKER_CLEARED_WHILE_POLLING",
  why: "a poll that forgets the old waker before storing the new one",
  checks: ["safety"],
});
badVariants.push({
  model: "mutex.pml",
  define: "UNLOCK_WITHOUT_NOTIFY",
  why: "an unlock that wakes no waiter",
  checks: ["safety"],
});

describe("the wake protocol, model-checked with spin", () => {
  it.runIf(missing.length > 0 && required)("has spin and gcc on PATH (CI=true)", () => {
    expect.fail(
      `CI=true, and the wake-protocol model check cannot run: ${missing.join(" and ")} not ` +
        `found on PATH. It needs Debian's "${SPIN_PACKAGE}" package (.ci/run installs it): ${install}`,
    );
  });

  describe.skipIf(missing.length > 0)("with spin", () => {
    for (const { model, checks } of models) {
      for (const check of checks) {
        it(
          `${model} has no lost wake-up and no deadlock (${check})`,
          () => {
            const verdict = verify(model, check);
            expect(verdict.errors, verdict.report).toBe(0);
            expect(verdict.trail).toBeUndefined();
          },
          VERIFY_TIMEOUT_MS,
        );
      }
    }

    for (const { model, define, why, checks } of badVariants) {
      for (const check of checks) {
        it(
          `catches ${why} (${model} -D${define}, ${check})`,
          () => {
            const verdict = verify(model, check, [define]);
            expect(verdict.errors, verdict.report).toBeGreaterThan(0);
            expect(verdict.report).toMatch(
              check === "safety" ? /invalid end state/ : /acceptance cycle/,
            );
            const trail = verdict.trail ?? "";
            expect(trail, "pan wrote no trail").toMatch(/trail ends after \d+ steps/);
            expect(leftAsleep(trail, model), trail).toBe(true);
          },
          VERIFY_TIMEOUT_MS,
        );
      }
    }
  });
});
