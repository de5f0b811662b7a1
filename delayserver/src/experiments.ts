// Which experiments exist is said once, here, for every program that reads CH08_EXPERIMENT:
// the stage programs (through withDelayServer) and stage d's `pnpm serve` (through protocol).

/**
 * Every `CH08_EXPERIMENT` the stage READMEs offer (a tour test holds this list to them).
 * Each is read where its line is flipped, as a plain string compare, so a misspelt name
 * would run the book's program unchanged and look like an experiment that did nothing.
 */
export const EXPERIMENTS = [
  "join-all",
  "no-first-waker",
  "late-waker",
  "lifo",
  "unbounded-wait",
] as const;

/** Refuses a `CH08_EXPERIMENT` that no stage knows, naming those that exist. */
export function checkExperiment(name: string | undefined): void {
  if (name === undefined || name === "" || (EXPERIMENTS as readonly string[]).includes(name))
    return;
  throw new TypeError(
    `CH08_EXPERIMENT=${name} is not an experiment of this repository: the stage READMEs' "Experiments to try" offer ${EXPERIMENTS.join(", ")}; unset it to run without one`,
  );
}
