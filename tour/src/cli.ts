import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { styleText } from "node:util";
import { startDelayServerThread } from "@ch08/delayserver";
import type { RunSummary } from "@ch08/trace";
import { readOptions } from "./options.js";
import { findStage, runStage, STAGES, type Stage } from "./stages.js";

const HELP = `pnpm start [-- options]

Runs the chapter's programs one after the other against one delayserver started for
the tour, each under a header naming its section and the idea it adds, then a summary.

Options:
  --stage KEY   run one stage only: ${STAGES.map((s) => s.key).join(", ")}
  --no-color    plain text even on a terminal (colours are used only on a terminal)
  --help        this text
`;

// `pnpm start -- --stage b` hands us a literal `--` first (pnpm passes it through); a
// `--` ends the options for parseArgs, so drop that one before parsing.
const args = process.argv.slice(2);
if (args[0] === "--") args.shift();

const values = readOptions(
  {
    args,
    options: {
      stage: { type: "string" },
      "no-color": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  },
  "pnpm start -- --help lists the options",
);

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const color = process.stdout.isTTY === true && !values["no-color"] && !process.env.NO_COLOR;
const paint = (style: Parameters<typeof styleText>[0], text: string): string =>
  color ? styleText(style, text) : text;

let stages: readonly Stage[] = STAGES;
if (values.stage !== undefined) {
  const stage = findStage(values.stage);
  if (stage === undefined) {
    process.stderr.write(
      `unknown stage ${JSON.stringify(values.stage)}: use one of ${STAGES.map((s) => s.key).join(", ")}\n`,
    );
    process.exit(2);
  }
  stages = [stage];
}

// The stages block their own threads; the delayserver runs on a worker thread of the
// tour, and each stage in a child process of its own.
const server = await startDelayServerThread({ port: 0, quiet: true });
const scratch = mkdtempSync(join(tmpdir(), "ch08-tour-"));
const results: { stage: Stage; wallMs: number; summary: RunSummary | undefined; ok: boolean }[] =
  [];

try {
  for (const stage of stages) {
    const rule = "─".repeat(78);
    process.stdout.write(`\n${paint("dim", rule)}\n`);
    process.stdout.write(
      `${paint("bold", `Stage ${stage.key}: ${stage.folder}`)}  ${paint("cyan", `(${stage.section})`)}\n`,
    );
    process.stdout.write(`${paint("yellow", stage.idea)}\n`);
    process.stdout.write(`${paint("dim", rule)}\n`);
    const summaryFile = join(scratch, `${stage.key}.json`);
    const started = performance.now();
    const run = runStage(
      stage,
      { DELAYSERVER: server.address, RUNTIME_SUMMARY: summaryFile },
      "inherit",
    );
    const wallMs = performance.now() - started;
    let summary: RunSummary | undefined;
    try {
      summary = JSON.parse(readFileSync(summaryFile, "utf8")) as RunSummary;
    } catch {
      summary = undefined;
    }
    results.push({ stage, wallMs, summary, ok: run.status === 0 });
    if (run.status !== 0) {
      process.stderr.write(
        `stage ${stage.key} failed (${run.error?.message ?? `exit code ${run.status ?? run.signal}`})\n`,
      );
    }
  }
} finally {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
}

process.stdout.write(
  `\n${paint("bold", "Summary")} (wall time includes starting Node; CPU is all threads of the program)\n`,
);
for (const { stage, wallMs, summary, ok } of results) {
  const name = `${stage.key.padEnd(8)}`;
  const pad = " ".repeat(name.length);
  process.stdout.write(
    `${paint("bold", name)}wall  ${(wallMs / 1000).toFixed(2)} s${ok ? "" : paint("red", "  (failed)")}\n`,
  );
  process.stdout.write(
    `${pad}cpu   ${summary === undefined ? "?" : (summary.cpuMs / 1000).toFixed(2)} s\n`,
  );
  process.stdout.write(
    `${pad}polls ${summary === undefined ? "?" : `${summary.polls} ${stage.polls} · ${summary.wakes} wakes · ${summary.parks} parks · ${summary.waits} epoll waits`}\n`,
  );
}
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
