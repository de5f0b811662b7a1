// The "Experiments to try" at the end of each stage README, applied and checked: each one is
// switched on by CH08_EXPERIMENT in a child process (the flag is read when the modules load),
// against a real delayserver, and every run that could hang has a deadline — a lost wake is
// observed as blockOn's DeadlineError, never as a stuck test.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type DelayServer, startDelayServerThread } from "@ch08/delayserver";
import { get } from "@ch08/delayserver/test/suites/client";
import { EXPERIMENTS } from "@ch08/delayserver/with-delayserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../dist/stages.js";

/** The longest one experiment's program may run (each takes 0.5–2 s on an idle machine). */
const RUN_DEADLINE_MS = 60_000;
const boundedRun = join(ROOT, "tour", "test", "helpers", "bounded-run.mjs");

let server: DelayServer;
beforeAll(async () => {
  server = await startDelayServerThread({ port: 0, quiet: true });
});
afterAll(async () => {
  await server?.close();
});

interface Run {
  readonly stdout: string;
  readonly status: number | null;
}

/** Runs `node args…` with `experiment` switched on (or none), against `address`. */
function run(args: string[], experiment: string | undefined, env: NodeJS.ProcessEnv = {}): Run {
  const { CH08_EXPERIMENT: _, ...inherited } = process.env;
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: RUN_DEADLINE_MS,
    env: {
      ...inherited,
      DELAYSERVER: server.address,
      ...(experiment === undefined ? {} : { CH08_EXPERIMENT: experiment }),
      ...env,
    },
  });
  return { stdout: result.stdout + result.stderr, status: result.status };
}

interface Outcome {
  readonly outcome: string;
  readonly polls: number;
  readonly stats: { waits: number; events: number; wakes: number; dropped: number };
  /** Epoll instances the process held: libuv's, one per thread, and mio's unless poll(2). */
  readonly epolls: number;
}

/** A stage's book program under blockOn's deadline: its lines, and how it ended. */
function bounded(
  stage: "b" | "c",
  timeoutMs: number,
  experiment?: string,
  env: NodeJS.ProcessEnv = {},
) {
  const { stdout, status } = run([boundedRun, stage, String(timeoutMs)], experiment, env);
  expect(status, stdout).toBe(0);
  const lines = stdout.trimEnd().split("\n");
  const outcome = JSON.parse(lines.at(-1) ?? "{}") as Outcome;
  return { lines: lines.slice(0, -1), ...outcome };
}

describe("stage a: raise N in joinAll and watch the polls grow as N²", () => {
  const perRequest = (n: number): number => {
    const { stdout, status } = run([join(ROOT, "a-runtime", "dist", "main.js")], "join-all", {
      CH08_N: String(n),
    });
    expect(status, stdout).toBe(0);
    const match = /joinAll of (\d+) requests: (\d+) child polls/.exec(stdout);
    expect(match, stdout).not.toBeNull();
    const childPolls = Number(match?.[2]);
    // Never more than one poll per unfinished child per wake-up, never fewer than two each.
    expect(childPolls).toBeLessThanOrEqual(n + (n * (n + 1)) / 2);
    expect(childPolls).toBeGreaterThanOrEqual(2 * n);
    return childPolls / n;
  };

  it("polls per request at N = 40 are several times those at N = 10", () => {
    const ten = perRequest(10);
    const forty = perRequest(40);
    // Answers 15 ms apart, one wake-up each: 6.5 and 21.5 per request. Under load two
    // answers may share a wake-up, which lowers both; linear growth per request stays.
    expect(forty).toBeGreaterThan(2 * ten);
  });
});

describe("stage b: leave no waker on the first poll and watch the wake get lost", () => {
  it("without the experiment the book's program finishes", () => {
    const { outcome, lines } = bounded("b", 10_000);
    expect(outcome).toBe("finished");
    expect(lines.filter((l) => l === "HelloAsyncAwait")).toHaveLength(2);
  });

  it("no-first-waker: the reactor drops the answer's event and the executor sleeps until the deadline", () => {
    const { outcome, lines, polls, stats } = bounded("b", 1500, "no-first-waker");
    expect(outcome).toBe("DeadlineError");
    expect(lines).toContain("main: 1 pending tasks. Sleep until notified.");
    // The answer came at 600 ms and woke nobody: only the poll blockOn makes when its
    // deadline passes finds it (and starts the second request, which is lost the same way).
    expect(lines.filter((l) => l === "HelloAsyncAwait").length).toBeLessThanOrEqual(1);
    expect(polls).toBeLessThanOrEqual(2);
    expect(stats.wakes).toBe(0);
    expect(stats.dropped).toBeGreaterThanOrEqual(1);
  });
});

describe("stage b: swap the reactor's OS event queue and the executor does not notice", () => {
  it("MIO_BACKEND=poll: the same lines, the same polls, and no epoll instance of mio's", () => {
    const epoll = bounded("b", 10_000, undefined, { MIO_BACKEND: "epoll" });
    const poll = bounded("b", 10_000, undefined, { MIO_BACKEND: "poll" });
    expect(poll.outcome).toBe("finished");
    // Dates differ; and under load a spurious wake may repeat a "Sleep until notified" line
    // (b's README explains it), so a line repeated at once counts as one.
    const masked = (lines: string[]): string[] =>
      lines.filter((l, i) => !l.startsWith("Date:") && l !== lines[i - 1]);
    expect(masked(poll.lines)).toEqual(masked(epoll.lines));
    // The executor still polls only when woken, whoever waits on the OS for it.
    expect(poll.polls).toBeLessThanOrEqual(1 + poll.stats.wakes);
    // The reactor's own epoll fd is the one that goes; libuv's per-thread ones stay.
    expect(poll.epolls).toBe(epoll.epolls - 1);
  });
});

describe("stage c: store the waker after registering, as the book orders it", () => {
  it("late-waker: the request answered at once (HelloWorld0) is lost, the others arrive", () => {
    const { outcome, lines, stats } = bounded("c", 2000, "late-waker");
    expect(outcome).toBe("DeadlineError");
    expect(lines).not.toContain("HelloWorld0");
    for (const i of [1, 2, 3, 4]) expect(lines).toContain(`HelloWorld${i}`);
    expect(lines.at(-1)).toBe("main: 1 pending tasks. Sleep until notified.");
    expect(stats.dropped).toBeGreaterThanOrEqual(1);
  });

  it("without the experiment all five arrive", () => {
    const { outcome, lines } = bounded("c", 10_000);
    expect(outcome).toBe("finished");
    for (const i of [0, 1, 2, 3, 4]) expect(lines).toContain(`HelloWorld${i}`);
  });
});

/** A delayserver (or `program`, a server with its options) in its own process, logging each request. */
async function loggingServer(
  program = join(ROOT, "delayserver", "dist", "cli.js"),
  experiment?: string,
): Promise<{
  child: ChildProcess;
  address: string;
  log: () => string;
}> {
  const { CH08_EXPERIMENT: _, ...inherited } = process.env;
  const child = spawn(process.execPath, [program, "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: experiment === undefined ? inherited : { ...inherited, CH08_EXPERIMENT: experiment },
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner in 20 s:\n${output}`)), 20_000);
    child.stdout?.on("data", () => {
      const match = /listening on http:\/\/(\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return { child, address, log: () => output };
}

describe("stage c: make the ready queue LIFO and watch the delayserver's log match the book's", () => {
  let logging: Awaited<ReturnType<typeof loggingServer>>;
  beforeAll(async () => {
    logging = await loggingServer();
  });
  afterAll(() => {
    logging?.child.kill("SIGINT");
  });

  /** The messages the delayserver logged while the program ran, in arrival order. */
  const arrivals = async (
    experiment: string | undefined,
  ): Promise<{ order: string[]; printed: string[] }> => {
    const before = logging.log().length;
    const { stdout, status } = run([boundedRun, "c", "10000"], experiment, {
      DELAYSERVER: logging.address,
    });
    expect(status, stdout).toBe(0);
    const logged = (): string[] =>
      [
        ...logging
          .log()
          .slice(before)
          .matchAll(/^#\d+ - \d+ms: (\S+)$/gm),
      ].map((m) => m[1] ?? "");
    // The server's lines were written while this thread sat in spawnSync: let them in.
    for (let waited = 0; logged().length < 5 && waited < 5000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const order = logged();
    const printed = stdout.split("\n").filter((l) => l.startsWith("HelloWorld"));
    return { order, printed };
  };

  it("FIFO (ours): the requests reach the server in the order they were spawned", async () => {
    const { order, printed } = await arrivals(undefined);
    expect(order).toEqual([
      "HelloWorld0",
      "HelloWorld1",
      "HelloWorld2",
      "HelloWorld3",
      "HelloWorld4",
    ]);
    expect(printed).toEqual(order);
  });

  it("lifo (the book's Vec::pop): the last spawned, the longest delay, arrives first; the answers do not change", async () => {
    const { order, printed } = await arrivals("lifo");
    expect(order).toEqual([
      "HelloWorld4",
      "HelloWorld3",
      "HelloWorld2",
      "HelloWorld1",
      "HelloWorld0",
    ]);
    // The answers still come back by their delays: the program prints what it printed before.
    expect(printed).toEqual([
      "HelloWorld0",
      "HelloWorld1",
      "HelloWorld2",
      "HelloWorld3",
      "HelloWorld4",
    ]);
  });
});

describe("stage d: let the executor sleep past the next timer, and a held answer waits for a stranger", () => {
  const serve = join(ROOT, "d-thread-poll-server", "dist", "serve.js");
  /** NUDGE_MS after asking for /300/held, asks for /0/nudge: when each answer came (ms). */
  const NUDGE_MS = 1500;
  async function heldThenNudge(experiment?: string) {
    const server = await loggingServer(serve, experiment);
    try {
      const start = performance.now();
      const since = () => Math.round(performance.now() - start);
      const held = get(server.address, "/300/held", { deadlineMs: 10_000 }).then(({ body }) => ({
        body,
        at: since(),
      }));
      await new Promise((resolve) => setTimeout(resolve, NUDGE_MS));
      const nudgedAt = since();
      const { body: nudge } = await get(server.address, "/0/nudge", { deadlineMs: 10_000 });
      return { held: await held, nudge, nudgedAt };
    } finally {
      server.child.kill("SIGINT");
    }
  }

  it("ours: the held answer comes when its timer is due, with nothing else going on", async () => {
    const { held, nudgedAt } = await heldThenNudge();
    expect(held.body).toBe("held");
    expect(held.at).toBeGreaterThanOrEqual(300);
    expect(held.at).toBeLessThan(nudgedAt);
  });

  it("unbounded-wait: epoll_wait no longer wakes for the timer; the held answer leaves with the nudge", async () => {
    const { held, nudge, nudgedAt } = await heldThenNudge("unbounded-wait");
    expect(nudge).toBe("nudge");
    expect(held.body).toBe("held");
    // Due at 300 ms, but nothing woke the executor until the next request came.
    expect(held.at).toBeGreaterThanOrEqual(nudgedAt);
  });
});

describe("the experiments' names", () => {
  it("the programs know exactly the names the READMEs offer, and refuse any other in one line", () => {
    const offered = new Set<string>();
    for (const entry of readdirSync(ROOT, { withFileTypes: true })) {
      const readme = join(ROOT, entry.name, "README.md");
      if (!entry.isDirectory() || !existsSync(readme)) continue;
      for (const m of readFileSync(readme, "utf8").matchAll(/CH08_EXPERIMENT=([a-z][a-z-]*)/g)) {
        offered.add(m[1] as string);
      }
    }
    expect([...EXPERIMENTS].sort()).toEqual([...offered].sort());
    const { stdout, status } = run([join(ROOT, "c-runtime-executor", "dist", "main.js")], "lifoo");
    expect(status).toBe(1);
    expect(stdout.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^error: CH08_EXPERIMENT=lifoo is not an experiment.* lifo, unbounded-wait; unset it/,
      ),
    ]);
  });
});
