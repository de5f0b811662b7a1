import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder of the Promela models (std/model). */
export const MODEL_DIR = fileURLToPath(new URL("../../model/", import.meta.url));

/** The Debian package that provides `spin`; pan itself is compiled with gcc. */
export const SPIN_PACKAGE = "spin";

/** Assertions and end states (`pan`), or acceptance cycles against the model's LTL (`pan -a`). */
export type Check = "safety" | "liveness";

/** What one verification found. */
export interface Verdict {
  /** pan's `errors:` count. */
  readonly errors: number;
  /** pan's whole report, to show when an expectation fails. */
  readonly report: string;
  /** `spin -t` replaying the counterexample, when pan wrote one. */
  readonly trail: string | undefined;
}

// Generous deadlines: two shared cores may be busy with other test suites. They exist so
// that a wedged tool fails the test with a message instead of hanging it.
const SPIN_TIMEOUT_MS = 30_000;
const GCC_TIMEOUT_MS = 120_000;
const PAN_TIMEOUT_MS = 60_000;
/** How long one verification may take at most (its three deadlines added up). */
export const VERIFY_TIMEOUT_MS = 2 * SPIN_TIMEOUT_MS + GCC_TIMEOUT_MS + PAN_TIMEOUT_MS;

/** The tools a verification needs that are not on PATH (spin runs gcc as its preprocessor too). */
export function missingTools(): string[] {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter((dir) => dir !== "");
  return ["spin", "gcc"].filter((tool) => !dirs.some((dir) => existsSync(join(dir, tool))));
}

/**
 * Verifies `model` (a file in MODEL_DIR) with the `defines` set, in a temporary folder
 * removed afterwards: `spin -a`, `gcc pan.c`, then `./pan` or `./pan -a`.
 */
export function verify(model: string, check: Check, defines: readonly string[] = []): Verdict {
  const dir = mkdtempSync(join(tmpdir(), "wake-protocol-"));
  try {
    // The models #include each other, so all of them go in.
    for (const file of readdirSync(MODEL_DIR)) {
      if (file.endsWith(".pml")) copyFileSync(join(MODEL_DIR, file), join(dir, file));
    }
    const flags = defines.map((name) => `-D${name}`);
    run("spin", [...flags, "-a", model], dir, SPIN_TIMEOUT_MS);
    // Without the LTL claim, pan checks invalid end states (a claim disables that check).
    const claim = check === "safety" ? ["-DNOCLAIM"] : [];
    run("gcc", ["-w", ...claim, "-o", "pan", "pan.c"], dir, GCC_TIMEOUT_MS);
    // -w20: a 2^20-slot hash table is plenty for these few thousand states.
    const panArgs = check === "safety" ? ["-w20"] : ["-a", "-w20"];
    const report = run("./pan", panArgs, dir, PAN_TIMEOUT_MS);
    const counted = /errors: (\d+)/.exec(report);
    if (counted === null) throw new Error(`pan printed no "errors:" line for ${model}:\n${report}`);
    const trail = existsSync(join(dir, `${model}.trail`))
      ? run("spin", [...flags, "-t", model], dir, SPIN_TIMEOUT_MS)
      : undefined;
    return { errors: Number(counted[1]), report, trail };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The final state of a replayed trail: global values, and which processes still run. */
export interface FinalState {
  /** Each global as `spin -t` prints it (`queue[0]`, `waiting`, ...). */
  readonly values: ReadonlyMap<string, number>;
  /** The proctypes of the processes that had not ended. */
  readonly running: readonly string[];
}

/**
 * Reads the state `spin -t` prints where a trail ends. (Not the source lines it prints:
 * spin 6.5 miscounts them after an `#ifdef` block, so they cannot be trusted.)
 */
export function finalState(trail: string): FinalState {
  const values = new Map<string, number>();
  for (const [, name = "", value = "0"] of trail.matchAll(/^\s+([\w[\]]+) = (-?\d+)$/gm)) {
    values.set(name, Number(value));
  }
  const running = [...trail.matchAll(/^\s*\d+:\s+proc\s+\d+ \((\w+):\d+\)/gm)].map(
    ([, proctype = ""]) => proctype,
  );
  return { values, running };
}

/** Runs `command` in `cwd` and returns its output; a failure or a timeout says which step. */
function run(command: string, args: string[], cwd: string, timeout: number): string {
  try {
    return execFileSync(command, args, { cwd, timeout, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${command} ${args.join(" ")} failed or ran past ${timeout / 1000} s: ${detail}`,
      { cause: error },
    );
  }
}
