// The goals' verdicts of every full run, one JSON line per run in results/history.jsonl,
// so that a goal met once and missed the next time shows as such: latest.json holds
// only the last run, and one run's "yes" is not a goal that holds.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type { Goal, Results } from "./results.js";

/** One full run's verdicts: what history.jsonl holds per line. */
export interface RunVerdicts {
  /** The commit measured (`-dirty` if the tree had changes); null outside a git checkout. */
  readonly commit: string | null;
  /** When the run started (ISO 8601). */
  readonly date: string;
  /** The load average at the start and at the end of the run. */
  readonly loadAverage: readonly [number, number];
  /** Every goal as that run checked it. */
  readonly goals: readonly Goal[];
}

/** The verdicts of `results`, as a line of history records them. */
export function verdictsOf(results: Results): RunVerdicts {
  return {
    commit: results.machine.commit,
    date: results.machine.date,
    loadAverage: [results.machine.loadAverageAtStart, results.loadAverageAtEnd],
    goals: results.goals,
  };
}

/** The runs recorded in `file`, oldest first; none if it does not exist. */
export function readHistory(file: string): RunVerdicts[] {
  if (!existsSync(file)) return [];
  const runs: RunVerdicts[] = [];
  const lines = readFileSync(file, "utf8").split("\n");
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let run: RunVerdicts;
    try {
      run = JSON.parse(line) as RunVerdicts;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`${file}:${i + 1} is not a line of JSON (${why}): mend or delete that line`);
    }
    if (typeof run.date !== "string" || !Array.isArray(run.goals)) {
      throw new Error(`${file}:${i + 1} has no date or no goals: mend or delete that line`);
    }
    runs.push(run);
  }
  return runs;
}

/** Adds `results`' verdicts to the end of `file`. */
export function appendRun(file: string, results: Results): void {
  appendFileSync(file, `${JSON.stringify(verdictsOf(results))}\n`);
}

/** How many earlier runs the Goals table shows beside the current one. */
export const EARLIER_RUNS_SHOWN = 4;

/** The runs that started before `results`' run, newest first (at most `count` of them). */
export function runsBefore(
  history: readonly RunVerdicts[],
  results: Results,
  count = Number.POSITIVE_INFINITY,
): RunVerdicts[] {
  return history
    .filter((run) => run.date < results.machine.date)
    .sort((a, b) => (a.date < b.date ? 1 : -1))
    .slice(0, count);
}

/** How a goal has fared over full runs: the record the Goals table keeps for it. */
export interface GoalRecord {
  /** Runs that checked the goal. */
  readonly checked: number;
  /** Of those, the runs that met it. */
  readonly met: number;
  /** How many of the newest runs that checked it met it, one after another. */
  readonly streak: number;
}

/** The record of `goal` over `runs` (newest first); runs that did not check it are passed over. */
export function recordFor(goal: string, runs: readonly RunVerdicts[]): GoalRecord {
  let checked = 0;
  let met = 0;
  let streak = 0;
  for (const run of runs) {
    const found = run.goals.find((g) => g.goal === goal);
    if (found === undefined) continue;
    if (found.met) {
      met++;
      if (streak === checked) streak++;
    }
    checked++;
  }
  return { checked, met, streak };
}

/** A record as the Goals table writes it: "12 of 32, the last 11 in a row". */
export function recordText({ checked, met, streak }: GoalRecord): string {
  if (checked === 0) return "–";
  if (met === checked) return `all ${checked}`;
  if (met === 0) return `none of ${checked}`;
  const last =
    streak === 0 ? "not the last" : streak === 1 ? "the last" : `the last ${streak} in a row`;
  return `${met} of ${checked}, ${last}`;
}

/** A verdict as the Goals table writes it. */
export function verdictText(met: boolean): string {
  return met ? "yes" : "NO";
}

/** How `goal` fared in each of `runs`: "yes", "NO", or "–" where that run did not check it. */
export function verdictsFor(goal: string, runs: readonly RunVerdicts[]): string[] {
  return runs.map((run) => {
    const found = run.goals.find((g) => g.goal === goal);
    return found === undefined ? "–" : verdictText(found.met);
  });
}
