import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/*
 * Every shell command a README shows, read the way the README test runs it. The conventions
 * are the README's own, visible to a reader:
 *
 * - A command is a line of a ```sh (or bash, shell) block; blank lines and lines that are only
 *   a comment are skipped; a trailing `# comment` (a `#` after a space, outside quotes) is
 *   not part of the command.
 * - It runs in the README's folder, or at the repository root when its comment (or that of
 *   a line above it in the same block) says "from the repository root".
 * - A comment that says "Ctrl-C" marks a command that runs until stopped (a server in the
 *   foreground): the test starts it, waits for its banner, keeps it running while the rest of
 *   its block runs (so a `curl` below it reaches it), then stops it as Ctrl-C does (SIGINT to
 *   its process group) and expects exit 0.
 * - A comment that says "CI runs this" exempts a command that cannot run inside a test (the
 *   install, `pnpm test` itself): the test checks that .ci/run runs it. "tested by PATH"
 *   exempts it in favour of the named test file, which must exist and mention it.
 * - A fence with no language (or `text`) right after a sh block, with only blank lines
 *   between, is the output of that block: of its Ctrl-C command if it has one, else of its
 *   last command. Every non-blank line of it must appear, in order, in what the command
 *   printed; `…` in a line stands for anything, and a line that is only `…` is skipped.
 * - Ports: a fixed port a block names (`--port 8080`, `localhost:8080`, `127.0.0.1:8080`) is
 *   replaced, in its commands and its output, by a free port the test picks, so that runs
 *   never collide with each other or with a server already on the machine.
 */

/** How the test treats a command. */
export type CommandKind = "run" | "foreground" | "exempt";

/** One command of a README, with what the README says about it. */
export interface ReadmeCommand {
  /** The README, relative to the repository root. */
  readonly readme: string;
  /** Its line in the README (1-based). */
  readonly line: number;
  /** Which sh block of the README it is in (0-based); a block runs as one session. */
  readonly block: number;
  /** The command, without its comment. */
  readonly command: string;
  /** Its trailing comment, without the `#` ("" when none). */
  readonly comment: string;
  /** The folder it runs in, relative to the repository root ("" for the root). */
  readonly cwd: string;
  /** Whether it runs to the end, runs until Ctrl-C, or is run elsewhere. */
  readonly kind: CommandKind;
  /** For an exempt command: "ci", or the test file (from the root) that runs it. */
  readonly exemptBy?: "ci" | { readonly test: string };
  /** The output lines the README shows for it, if any. */
  readonly expected?: readonly string[];
}

const SHELL_LANGUAGES = new Set(["sh", "bash", "shell"]);
const OUTPUT_LANGUAGES = new Set(["", "text"]);

/** Every README.md under `root`, relative to it, outside node_modules, dist and dot folders. */
export function findReadmes(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".") || entry.name === "node_modules" || entry.name === "dist")
        continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === "README.md") found.push(relative(root, path));
    }
  };
  walk(root);
  return found.sort();
}

/** Splits a line at its trailing comment: a `#` after whitespace, outside quotes. */
export function splitComment(line: string): { command: string; comment: string } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === "#" && (i === 0 || /\s/.test(line[i - 1] ?? ""))) {
      return { command: line.slice(0, i).trim(), comment: line.slice(i + 1).trim() };
    }
  }
  return { command: line.trim(), comment: "" };
}

interface Fence {
  readonly language: string;
  readonly startLine: number;
  readonly lines: string[];
  /** Only blank lines between the end of the previous fence and this one. */
  readonly adjacent: boolean;
}

function fences(text: string): Fence[] {
  const result: Fence[] = [];
  const lines = text.split("\n");
  let open: { language: string; startLine: number; lines: string[]; adjacent: boolean } | null =
    null;
  let onlyBlankSinceFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const marker = /^```\s*([\w-]*)/.exec(line);
    if (open === null) {
      if (marker !== null) {
        open = {
          language: (marker[1] ?? "").toLowerCase(),
          startLine: i + 1,
          lines: [],
          adjacent: onlyBlankSinceFence,
        };
      } else if (line.trim() !== "") {
        onlyBlankSinceFence = false;
      }
    } else if (/^```\s*$/.test(line)) {
      result.push(open);
      open = null;
      onlyBlankSinceFence = true;
    } else {
      open.lines.push(line);
    }
  }
  return result;
}

/** The commands of one README, given its text and its path from the root. */
export function extractCommands(readme: string, text: string): ReadmeCommand[] {
  const folder = dirname(readme) === "." ? "" : dirname(readme);
  const blocks = fences(text);
  const commands: ReadmeCommand[] = [];
  let blockIndex = 0;
  for (let b = 0; b < blocks.length; b++) {
    const fence = blocks[b];
    if (fence === undefined || !SHELL_LANGUAGES.has(fence.language)) continue;
    const next = blocks[b + 1];
    const output = next?.adjacent && OUTPUT_LANGUAGES.has(next.language) ? next.lines : undefined;
    const inBlock: ReadmeCommand[] = [];
    let fromRoot = false;
    fence.lines.forEach((raw, i) => {
      const { command, comment } = splitComment(raw);
      if (command === "") return;
      // Said once, "from the repository root" holds for the rest of the block.
      fromRoot ||= /from the repository root/i.test(comment);
      const ci = /\bCI runs this\b/i.test(comment);
      const tested = /\btested by (\S+\.test\.ts)\b/i.exec(comment);
      const kind: CommandKind =
        ci || tested !== null ? "exempt" : /Ctrl-C/i.test(comment) ? "foreground" : "run";
      inBlock.push({
        readme,
        line: fence.startLine + 1 + i,
        block: blockIndex,
        command,
        comment,
        cwd: fromRoot ? "" : folder,
        kind,
        ...(kind === "exempt"
          ? { exemptBy: tested?.[1] !== undefined ? { test: tested[1] } : ("ci" as const) }
          : {}),
      });
    });
    if (output !== undefined) {
      const owner =
        inBlock.find((c) => c.kind === "foreground") ??
        [...inBlock].reverse().find((c) => c.kind === "run");
      const at = owner === undefined ? -1 : inBlock.indexOf(owner);
      if (owner !== undefined && at >= 0) inBlock[at] = { ...owner, expected: output };
    }
    commands.push(...inBlock);
    blockIndex++;
  }
  return commands;
}

/** Every command of every README under `root`. */
export function readmeCommands(root: string): ReadmeCommand[] {
  return findReadmes(root).flatMap((readme) =>
    extractCommands(readme, readFileSync(join(root, readme), "utf8")),
  );
}

/** The fixed ports a command or its output names. */
export function fixedPorts(text: string): number[] {
  const ports = new Set<number>();
  for (const match of text.matchAll(/(?:--port[ =]|(?:localhost|127\.0\.0\.1):)(\d{2,5})\b/g)) {
    const port = Number(match[1]);
    if (port > 0) ports.add(port);
  }
  return [...ports];
}

/** `text` with each fixed port replaced as `ports` maps it. */
export function substitutePorts(text: string, ports: ReadonlyMap<number, number>): string {
  let result = text;
  for (const [from, to] of ports)
    result = result.replace(new RegExp(`\\b${from}\\b`, "g"), `${to}`);
  return result;
}

/**
 * Whether `printed` shows the README's `expected` lines, in order. Returns the first line it
 * could not find (after the lines before it were found), or undefined when all were there.
 */
export function missingLine(expected: readonly string[], printed: string): string | undefined {
  const lines = printed.split("\n").map((l) => l.trimEnd());
  let at = 0;
  for (const want of expected) {
    const trimmed = want.trimEnd();
    if (trimmed.trim() === "" || trimmed.trim() === "…") continue;
    const pattern = new RegExp(
      `^${trimmed
        .split("…")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    );
    while (at < lines.length && !pattern.test(lines[at] ?? "")) at++;
    if (at === lines.length) return want;
    at++;
  }
  return undefined;
}

/** The words of a shell line, quotes removed (enough for the simple lines of .ci/run). */
function words(line: string): string[] {
  return (line.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^["']|["']$/g, ""));
}

/** The simple commands .ci/run runs, each as its words (`cmd || exit 1` gives `cmd`). */
export function ciCommands(script: string): string[][] {
  return script
    .split("\n")
    .map((line) => splitComment(line).command)
    .flatMap((line) => line.split(/\|\||&&|;|\|/))
    .map((part) => words(part.replace(/^\s*(if|then|else|!)\s+/, "").replace(/>\S+/g, "")))
    .filter((w) => w.length > 0);
}

/** Whether .ci/run's commands run `command` (each `&&` part of it) from folder `cwd`. */
export function ciRuns(
  command: string,
  cwd: string,
  ci: readonly string[][],
  rootScripts: Readonly<Record<string, string>>,
): boolean {
  const runs = (wanted: readonly string[]): boolean =>
    ci.some(
      (c) =>
        c.length >= wanted.length &&
        wanted.every((w, i) => {
          const have = c[i] ?? "";
          // `"pnpm@$pnpm_version"` in .ci/run stands for any `pnpm@…`.
          if (!have.includes("$")) return have === w;
          const pattern = have
            .split(/\$\{?\w+\}?/)
            .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
            .join(".+");
          return new RegExp(`^${pattern}$`).test(w);
        }),
    );
  return command.split("&&").every((part) => {
    const wanted = words(part);
    if (runs(wanted)) return true;
    // A package's script is run by CI when the root's script of that name runs
    // `turbo run` of it (turbo runs it in every package) and CI runs the root's.
    const filtered =
      wanted[0] === "pnpm" && wanted[1] === "--filter"
        ? wanted.slice(3)
        : cwd !== ""
          ? wanted.slice(1)
          : [];
    const script = filtered[0] === "run" ? filtered[1] : filtered[0];
    // `turbo run <script>` as whole words anywhere in it: the root script may wrap turbo
    // (the root's `test` runs it, then sums the reports).
    const root = words(rootScripts[script ?? ""] ?? "");
    const runsTurbo = root.some(
      (w, i) => w === "turbo" && root[i + 1] === "run" && root[i + 2] === script,
    );
    return wanted[0] === "pnpm" && script !== undefined && runsTurbo && runs(["pnpm", script]);
  });
}

/** Whether the test file's text mentions `command`: its script's name and each of its options. */
export function testMentions(command: string, testText: string): boolean {
  const [tool, ...rest] = words(command);
  const mentioned = rest.filter((w) => w !== "run" && !w.includes("="));
  const name = tool === "pnpm" || tool === "npm" ? mentioned.find((w) => !w.startsWith("-")) : tool;
  return (
    name !== undefined &&
    testText.includes(name) &&
    mentioned.filter((w) => w.startsWith("--")).every((flag) => testText.includes(flag))
  );
}
