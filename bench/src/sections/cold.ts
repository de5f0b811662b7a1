// Section 3: cold, whole process. Each program runs as a child process from start to
// exit, as a reader runs it: the stages' smallest programs and the book's examples, and
// the baselines they are held against (bare node, node + one Worker, node + koffi + libc,
// node:net + Promise.all). CPU is the child's own user + system time (getrusage of this
// process's children, every thread of the child counted), wall is spawn to exit.
// Repetitions are interleaved (every program once, then again, the order rotated) so that
// load drifting over the run hits every program alike; floors are subtracted rep by rep.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { gatherOutput } from "../child-output.js";
import { childrenCpu } from "../rusage.js";
import { round, type Spread, spread } from "../stats.js";

/** What a program is, for grouping in the table. */
export type ColdGroup = "floor" | "start-up" | "book" | "many";

/** One program the section runs. */
export interface ColdProgram {
  /** Short stable name, the key in the figures. */
  readonly id: string;
  /** How it reads in the table. */
  readonly label: string;
  /** Its group. */
  readonly group: ColdGroup;
  /** Node's arguments: a script and its own arguments, or `-e` and code. */
  readonly args: readonly string[];
  /** The program whose cost this one's is reported over ("+X s over its floor"). */
  readonly floor?: string;
  /** What its stdout must contain for the run to count (a run that failed is not a figure). */
  readonly expect: RegExp;
  /** Variables set for this program alone, over the section's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** One run of one program. */
export interface ColdRun {
  /** User CPU of the child, ms. */
  readonly userMs: number;
  /** System CPU of the child, ms. */
  readonly systemMs: number;
  /** Spawn to exit, ms. */
  readonly wallMs: number;
}

/** One program's figures over the repetitions, in seconds. */
export interface ColdRow {
  /** The program's id. */
  readonly id: string;
  /** How it reads in the table. */
  readonly label: string;
  /** Its group. */
  readonly group: ColdGroup;
  /** User + system CPU, s. */
  readonly cpuS: Spread;
  /** User CPU, s. */
  readonly userS: Spread;
  /** System CPU, s. */
  readonly systemS: Spread;
  /** Wall, s. */
  readonly wallS: Spread;
  /** Its floor, and what it costs over it: the same repetition's difference, s. */
  readonly overFloor: {
    readonly floor: string;
    readonly cpuS: Spread;
    readonly wallS: Spread;
  } | null;
  /** Every run. */
  readonly runs: readonly ColdRun[];
}

/** Section 3's figures. */
export interface ColdFigures {
  /** Every program. */
  readonly rows: readonly ColdRow[];
  /** Stage c's whole-process CPU and wall for the N requests over node:net's, rep by rep. */
  readonly manyRatio: { readonly cpu: Spread; readonly wall: Spread };
}

/** Section 3's settings. */
export interface ColdSettings {
  /** Runs of every program (interleaved). */
  readonly repetitions: number;
  /** Concurrent requests of the whole-process clients. */
  readonly n: number;
  /** Their path. */
  readonly path: string;
  /** The book's examples to run: the quick run keeps only the short ones. */
  readonly bookPrograms: "all" | "short";
}

const script = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
/** A stage's compiled program, next to its package's entry point. */
const stageProgram = (pkg: string, file: string): string =>
  fileURLToPath(new URL(`./${file}`, import.meta.resolve(pkg)));

const STATUS_200 = /^HTTP\/1\.1 200/m;

/**
 * Set on some machines (this one among them), NODE_EXTRA_CA_CERTS makes every Node process
 * read and parse a bundle of certificates before any of its code runs: about 0.035 s of
 * CPU here, more than bare node's whole start without it. No program here uses TLS, and a
 * default install does not set it, so it is left out of every program's environment; when
 * it is set, one row (`node-ca-certs`) shows what it costs.
 */
export const EXTRA_CA_CERTS = "NODE_EXTRA_CA_CERTS";

/** The programs of section 3, in the order of the table. */
export function coldPrograms(settings: ColdSettings): ColdProgram[] {
  const many = (id: string, label: string, file: string): ColdProgram => ({
    id,
    label,
    group: "many",
    args: [script(file), String(settings.n), settings.path],
    expect: new RegExp(`^ok ${settings.n}$`, "m"),
  });
  const book: ColdProgram[] = [
    {
      id: "book-a",
      label: "stage a: the book's example (two requests in a row, 0.6 + 0.4 s)",
      group: "book",
      args: [stageProgram("@ch08/a-runtime", "main.js")],
      expect: /HelloAsyncAwait/,
    },
    {
      id: "book-b",
      label: "stage b: the book's example (two requests in a row, 0.6 + 0.4 s)",
      group: "book",
      args: [stageProgram("@ch08/b-reactor-executor", "main.js")],
      expect: /HelloAsyncAwait/,
    },
    {
      id: "book-c",
      label: "stage c: the book's example (five tasks, 0–4 s)",
      group: "book",
      args: [stageProgram("@ch08/c-runtime-executor", "main.js")],
      expect: /HelloWorld4/,
    },
    {
      id: "book-c-threads",
      label: "stage c: the book's twelve executors on twelve threads",
      group: "book",
      args: [stageProgram("@ch08/c-runtime-executor", "threads.js")],
      expect: /HelloWorld4/,
    },
  ];
  const certs = process.env[EXTRA_CA_CERTS];
  return [
    { id: "node", label: "bare node -e ''", group: "floor", args: ["-e", ""], expect: /^$/ },
    ...(certs
      ? [
          {
            id: "node-ca-certs",
            label: `bare node -e '' with this machine's ${EXTRA_CA_CERTS} (left out of every other row)`,
            group: "floor",
            args: ["-e", ""],
            floor: "node",
            expect: /^$/,
            env: { [EXTRA_CA_CERTS]: certs },
          } satisfies ColdProgram,
        ]
      : []),
    {
      id: "node-worker",
      label: "bare node + one Worker that exits at once",
      group: "floor",
      args: ["-e", "new (require('node:worker_threads').Worker)('', { eval: true })"],
      floor: "node",
      expect: /^$/,
    },
    {
      id: "node-koffi",
      label: "node + koffi + libc, 8 functions bound",
      group: "floor",
      args: [script("../cold/koffi-libc.js")],
      floor: "node",
      expect: /^bound 8$/m,
    },
    {
      id: "node-worker-koffi",
      label: "node + one Worker, koffi + libc (8 functions) in both threads",
      group: "floor",
      args: [script("../cold/koffi-worker.js")],
      floor: "node-worker",
      expect: /^bound 8$/m,
    },
    {
      id: "one-a",
      label: "stage a: one request (no threads)",
      group: "start-up",
      args: [script("../cold/one-request-a.js"), "/0/x"],
      floor: "node",
      expect: STATUS_200,
    },
    {
      id: "one-b",
      label: "stage b: one request (reactor thread)",
      group: "start-up",
      args: [script("../cold/one-request-b.js"), "/0/x"],
      floor: "node-worker",
      expect: STATUS_200,
    },
    {
      id: "one-c",
      label: "stage c: one request (reactor thread)",
      group: "start-up",
      args: [script("../cold/one-request-c.js"), "/0/x"],
      floor: "node-worker",
      expect: STATUS_200,
    },
    {
      id: "one-d",
      label: "stage d: one request, single-threaded runtime (no threads)",
      group: "start-up",
      args: [script("../cold/one-request-d.js"), "/0/x"],
      floor: "node",
      expect: STATUS_200,
    },
    {
      id: "one-d-file",
      label: "stage d: the same program in one file, shared packages inside (not as it ships)",
      group: "start-up",
      args: [script("../cold/one-file.js"), "/0/x"],
      floor: "node",
      expect: STATUS_200,
    },
    ...(settings.bookPrograms === "all" ? book : book.slice(0, 1)),
    many(
      "many-net",
      `node:net + Promise.all: ${settings.n.toLocaleString("en-US")} × GET ${settings.path}`,
      "../cold/many-net.js",
    ),
    many(
      "many-c",
      `stage c: ${settings.n.toLocaleString("en-US")} × GET ${settings.path}, a task each`,
      "../cold/many-c.js",
    ),
  ];
}

/**
 * The environment of every child: the bench's delayserver, no tracing switched on, and no
 * extra certificates to parse at start (`EXTRA_CA_CERTS`).
 */
function childEnv(address: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DELAYSERVER: address };
  for (const key of Object.keys(env)) if (key.startsWith("RUNTIME_")) delete env[key];
  delete env[EXTRA_CA_CERTS];
  return env;
}

/** Runs `program` once, start to exit; its CPU is what getrusage's children figure gained. */
function runOnce(
  program: ColdProgram,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<ColdRun> {
  return new Promise<ColdRun>((resolve, reject) => {
    const before = childrenCpu();
    const started = performance.now();
    const child = spawn(process.execPath, program.args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: program.env === undefined ? env : { ...env, ...program.env },
    });
    const output = gatherOutput(child);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    let run: ColdRun | undefined;
    child.once("exit", () => {
      // Reaped by now: the children's figure includes this child, and no other ended meanwhile.
      const wallMs = performance.now() - started;
      const after = childrenCpu();
      run = {
        userMs: after.userMs - before.userMs,
        systemMs: after.systemMs - before.systemMs,
        wallMs,
      };
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const { stdout, stderr } = output;
      if (code !== 0 || run === undefined) {
        reject(
          new Error(
            `cold program "${program.label}" ended with ${signal === null ? `code ${code}` : `signal ${signal}`}` +
              `${signal === "SIGKILL" ? ` (killed after ${timeoutMs} ms)` : ""}: ${stderr.trim() || stdout.trim()}`,
          ),
        );
      } else if (!program.expect.test(stdout) || /no delayserver was listening/.test(stdout)) {
        reject(
          new Error(
            `cold program "${program.label}" did not print what it should (${program.expect}): ${stdout.trim().slice(0, 300)}`,
          ),
        );
      } else {
        resolve(run);
      }
    });
  });
}

const seconds = (values: readonly number[]): Spread =>
  spread(
    values.map((ms) => ms / 1000),
    3,
  );

/** Runs section 3 against the delayserver at `address`. */
export async function coldWholeProcess(
  address: string,
  settings: ColdSettings,
  log: (line: string) => void,
): Promise<ColdFigures> {
  const programs = coldPrograms(settings);
  const env = childEnv(address);
  const runs = new Map<string, ColdRun[]>(programs.map((p) => [p.id, []]));
  for (let rep = 0; rep < settings.repetitions; rep++) {
    // Rotated, so no program always runs right after the same neighbour.
    const order = programs.map((_, i) => programs[(i + rep) % programs.length]);
    const line: string[] = [];
    for (const program of order) {
      if (program === undefined) continue;
      const run = await runOnce(program, env, 120_000);
      runs.get(program.id)?.push(run);
      line.push(`${program.id} ${((run.userMs + run.systemMs) / 1000).toFixed(2)}`);
    }
    log(`  rep ${rep + 1}, CPU s: ${line.join(", ")}`);
  }
  const of = (id: string): ColdRun[] => runs.get(id) ?? [];
  const cpu = (r: ColdRun): number => r.userMs + r.systemMs;
  const rows: ColdRow[] = programs.map((program) => {
    const mine = of(program.id);
    const floor = program.floor === undefined ? undefined : of(program.floor);
    return {
      id: program.id,
      label: program.label,
      group: program.group,
      cpuS: seconds(mine.map(cpu)),
      userS: seconds(mine.map((r) => r.userMs)),
      systemS: seconds(mine.map((r) => r.systemMs)),
      wallS: seconds(mine.map((r) => r.wallMs)),
      overFloor:
        program.floor === undefined || floor === undefined
          ? null
          : {
              floor: program.floor,
              cpuS: seconds(mine.map((r, i) => cpu(r) - cpu(floor[i] ?? r))),
              wallS: seconds(mine.map((r, i) => r.wallMs - (floor[i] ?? r).wallMs)),
            },
      runs: mine.map((r) => ({
        userMs: round(r.userMs),
        systemMs: round(r.systemMs),
        wallMs: round(r.wallMs),
      })),
    };
  });
  const net = of("many-net");
  const c = of("many-c");
  const ratio = (f: (r: ColdRun) => number): Spread =>
    spread(
      c.map((r, i) => {
        const base = net[i];
        return base === undefined ? Number.NaN : f(r) / f(base);
      }),
      3,
    );
  return { rows, manyRatio: { cpu: ratio(cpu), wall: ratio((r) => r.wallMs) } };
}
