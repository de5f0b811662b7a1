import { type SpawnSyncReturns, type StdioOptions, spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** One program of the chapter that the tour runs. */
export interface Stage {
  /** What `--stage` takes: a, b, c, threads, d. */
  readonly key: string;
  /** The workspace folder of the stage. */
  readonly folder: string;
  /** The script inside the folder's dist/. */
  readonly script: string;
  /** The chapter section it is. */
  readonly section: string;
  /** The one idea the stage adds. */
  readonly idea: string;
  /** What its poll count counts. */
  readonly polls: string;
}

/** Every stage, in the chapter's order. */
export const STAGES: readonly Stage[] = [
  {
    key: "a",
    folder: "a-runtime",
    script: "main.js",
    section: "Improving our base example",
    idea: "Sleep in epoll_wait until the OS reports an event, instead of busy-polling.",
    polls: "polls of the top-level future",
  },
  {
    key: "b",
    folder: "b-reactor-executor",
    script: "main.js",
    section: "Step 1 and Step 3: a Reactor and a Waker",
    idea: "A reactor thread waits on the OS; a Waker tells the parked executor which future can go on.",
    polls: "polls of the top-level future",
  },
  {
    key: "c",
    folder: "c-runtime-executor",
    script: "main.js",
    section: "Experimenting with our new runtime, on Step 2's executor",
    idea: "Spawned tasks and a ready queue: only the tasks that were woken are polled.",
    polls: "task polls",
  },
  {
    key: "threads",
    folder: "c-runtime-executor",
    script: "threads.js",
    section: "Experimenting with our new runtime: many executors (the book's d-multiple-threads)",
    idea: "Twelve executors, each on its own thread, share the one reactor.",
    polls: "task polls, all threads",
  },
  {
    key: "d",
    folder: "d-thread-poll-server",
    script: "main.js",
    section: "Beyond the chapter: the thread-poll-server design",
    idea: "A single-threaded runtime: no reactor thread, the executor itself waits in epoll_wait.",
    polls: "task polls",
  },
];

/** The repository root (the tour lives in tour/dist). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The stage a key names, or undefined. */
export function findStage(key: string): Stage | undefined {
  return STAGES.find((s) => s.key === key || s.folder === key);
}

/** Runs a stage's built program in a child process with `env` added (two minutes at most). */
export function runStage(
  stage: Stage,
  env: Record<string, string>,
  stdio: StdioOptions,
): SpawnSyncReturns<Buffer> {
  return spawnSync(process.execPath, [join(ROOT, stage.folder, "dist", stage.script)], {
    stdio,
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
}
