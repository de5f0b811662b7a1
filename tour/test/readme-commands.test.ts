// Every shell command in every README runs here, from the built tree, with a deadline, by the
// conventions tour/src/readme-commands.ts describes (and each README shows): exit 0, the
// output the README shows right after it, servers marked "Ctrl-C" started and stopped, and
// commands marked "CI runs this" / "tested by …" checked against .ci/run / that test.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { type DelayServer, startDelayServerThread } from "@ch08/delayserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ciCommands,
  ciRuns,
  fixedPorts,
  missingLine,
  type ReadmeCommand,
  readmeCommands,
  substitutePorts,
  testMentions,
} from "../dist/readme-commands.js";
import { ROOT } from "../dist/stages.js";

/** The longest any one command may take (the whole tour is the longest: ~15 s on a busy machine). */
const COMMAND_DEADLINE_MS = 90_000;
/** How long a server marked Ctrl-C may take to print its banner, and to stop. */
const SERVER_DEADLINE_MS = 30_000;
/** Blocks running at once: the commands mostly wait on the delayserver, but 2 cores are shared. */
const PARALLEL_BLOCKS = 3;

const commands = readmeCommands(ROOT);
const blocks = new Map<string, ReadmeCommand[]>();
for (const c of commands) {
  const key = `${c.readme}#${c.block}`;
  blocks.set(key, [...(blocks.get(key) ?? []), c]);
}

let server: DelayServer;
beforeAll(async () => {
  // The commands rebuild what is stale before they run; doing it once here, for the tour
  // and everything it uses, keeps them from queueing behind each other's builds.
  const fresh = spawnSync(process.execPath, [join(ROOT, "scripts", "fresh.mjs")], {
    cwd: join(ROOT, "tour"),
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(fresh.status, fresh.stderr).toBe(0);
  // Each stage program finds this one through DELAYSERVER, so none tries to start its own
  // on 8080 while another command's program is using it.
  server = await startDelayServerThread({ port: 0, quiet: true });
}, 150_000);
afterAll(async () => {
  await server?.close();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/**
 * The environment of a README command: a reader's terminal, so without what pnpm, turbo and
 * vitest set for the test itself. (pnpm's `pnpm_config_verify_deps_before_run=false`, seen
 * by a nested pnpm as a true string, makes every command re-check the install state, and
 * several at once then race on node_modules/.pnpm-workspace-state-v1.json.)
 */
function commandEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(TURBO_|VITEST|npm_|pnpm_|NODE_OPTIONS$|FORCE_COLOR$|NODE_ENV$)/i.test(k)) env[k] = v;
  }
  return { ...env, DELAYSERVER: server.address, NO_COLOR: "1", CI: "true" };
}

interface Running {
  readonly child: ChildProcess;
  output: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a command in its own process group, as a shell in a terminal would. */
function start(command: string, cwd: string): Running {
  const child = spawn("bash", ["-c", command], {
    cwd: join(ROOT, cwd),
    env: commandEnv(),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const running: Running = {
    child,
    output: "",
    exited: new Promise((resolve) =>
      child.once("close", (code, signal) => resolve({ code, signal })),
    ),
  };
  const take = (chunk: Buffer): void => {
    running.output += chunk.toString("utf8");
  };
  child.stdout?.on("data", take);
  child.stderr?.on("data", take);
  return running;
}

function killGroup(running: Running, signal: NodeJS.Signals): void {
  try {
    if (running.child.pid !== undefined) process.kill(-running.child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Waits for `done` or fails after `ms`, killing the command's whole group. */
async function within<T>(ms: number, running: Running, done: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      killGroup(running, "SIGKILL");
      reject(new Error(`${what}: no result in ${ms / 1000} s; it printed:\n${running.output}`));
    }, ms);
  });
  try {
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when the output has a line matching the README's banner line (or any line). */
function banner(running: Running, line: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const seen =
        line === undefined
          ? running.output.includes("\n")
          : missingLine([line], running.output) === undefined;
      if (seen) resolve();
      return seen;
    };
    if (check()) return;
    const onData = (): void => {
      if (check()) {
        running.child.stdout?.off("data", onData);
        running.child.stderr?.off("data", onData);
      }
    };
    running.child.stdout?.on("data", onData);
    running.child.stderr?.on("data", onData);
    void running.exited.then(({ code }) =>
      reject(new Error(`exited (${code}) before its banner; it printed:\n${running.output}`)),
    );
  });
}

let slots = PARALLEL_BLOCKS;
const queue: (() => void)[] = [];
async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (slots === 0) await new Promise<void>((resolve) => queue.push(resolve));
  else slots--;
  try {
    return await work();
  } finally {
    const next = queue.shift();
    if (next !== undefined) next();
    else slots++;
  }
}

/** Runs one sh block as a session; returns the problems found, one line each. */
async function runBlock(block: readonly ReadmeCommand[]): Promise<string[]> {
  const text = block.map((c) => `${c.command}\n${(c.expected ?? []).join("\n")}`).join("\n");
  const ports = new Map<number, number>();
  for (const port of fixedPorts(text)) ports.set(port, await freePort());
  const problems: string[] = [];
  const servers: { command: ReadmeCommand; running: Running; expected: string[] }[] = [];
  try {
    for (const c of block) {
      if (c.kind === "exempt") continue;
      const where = `${c.readme}:${c.line} \`${c.command}\``;
      const command = substitutePorts(c.command, ports);
      const expected = (c.expected ?? []).map((l) => substitutePorts(l, ports));
      const running = start(command, c.cwd);
      if (c.kind === "foreground") {
        try {
          await within(SERVER_DEADLINE_MS, running, banner(running, expected[0]), where);
          servers.push({ command: c, running, expected });
        } catch (error) {
          killGroup(running, "SIGKILL");
          problems.push(`${where} did not come up: ${(error as Error).message}`);
        }
        continue;
      }
      try {
        const { code, signal } = await within(COMMAND_DEADLINE_MS, running, running.exited, where);
        if (code !== 0) {
          problems.push(`${where} exited ${code ?? signal}; it printed:\n${running.output}`);
          continue;
        }
        const missing = missingLine(expected, running.output);
        if (missing !== undefined) {
          problems.push(
            `${where} did not print the README's line ${JSON.stringify(missing)}; it printed:\n${running.output}`,
          );
        }
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
  } finally {
    for (const { command: c, running, expected } of servers) {
      const where = `${c.readme}:${c.line} \`${c.command}\``;
      killGroup(running, "SIGINT"); // what Ctrl-C sends: the whole foreground group
      try {
        const { code, signal } = await within(SERVER_DEADLINE_MS, running, running.exited, where);
        // A shell reports a Ctrl-C'd command as 130; pnpm may pass the signal on instead.
        if (code !== 0 && code !== 130 && signal !== "SIGINT") {
          problems.push(`${where} stopped by Ctrl-C with ${code ?? signal}, not 0`);
        }
        const missing = missingLine(expected, running.output);
        if (missing !== undefined) {
          problems.push(
            `${where} did not print the README's line ${JSON.stringify(missing)}; it printed:\n${running.output}`,
          );
        }
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
  }
  return problems;
}

describe("every README command", () => {
  it("includes the tour's, diff's and a stage's commands the root README promises", () => {
    const run = commands.filter((c) => c.readme === "README.md" && c.kind === "run");
    const shown = run.map((c) => c.command);
    expect(shown).toContain("pnpm start -- --stage b");
    expect(shown).toContain("pnpm start -- --help");
    expect(shown).toContain("pnpm diff a b");
    expect(commands.some((c) => c.kind === "foreground")).toBe(true);
  });

  it("pins the pnpm version package.json names wherever a README installs pnpm", () => {
    const pinned = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
        packageManager: string;
      }
    ).packageManager.split("@")[1];
    for (const c of commands) {
      for (const m of c.command.matchAll(/pnpm@(\S+)/g)) {
        expect(m[1], `${c.readme}:${c.line}`).toBe(pinned);
      }
    }
  });

  it("exempts a command only where .ci/run or the named test runs it", () => {
    const ci = ciCommands(readFileSync(join(ROOT, ".ci", "run"), "utf8"));
    const rootScripts = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const exempt = commands.filter((c) => c.kind === "exempt");
    expect(exempt.length).toBeGreaterThan(0);
    for (const c of exempt) {
      const where = `${c.readme}:${c.line} \`${c.command}\``;
      if (c.exemptBy === "ci") {
        expect(ciRuns(c.command, c.cwd, ci, rootScripts), `${where}: .ci/run does not run it`).toBe(
          true,
        );
      } else if (c.exemptBy !== undefined) {
        const path = join(ROOT, c.exemptBy.test);
        expect(existsSync(path), `${where}: ${c.exemptBy.test} does not exist`).toBe(true);
        expect(
          testMentions(c.command, readFileSync(path, "utf8")),
          `${where}: ${c.exemptBy.test} does not run it`,
        ).toBe(true);
      }
    }
  });

  describe.concurrent("runs, block by block", () => {
    for (const [key, block] of blocks) {
      if (block.every((c) => c.kind === "exempt")) continue;
      const first = block[0];
      const name = `${key.split("#")[0]}:${first?.line}: ${block.map((c) => c.command).join(" ; ")}`;
      it(name, { timeout: 240_000 }, async () => {
        const problems = await slot(() => runBlock(block));
        expect(problems, problems.join("\n\n")).toEqual([]);
      });
    }
  });
});
