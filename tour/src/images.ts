import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { startDelayServerThread } from "@ch08/delayserver";
import { readOptions } from "./options.js";
import { ROOT, runStage, STAGES } from "./stages.js";

// `pnpm images`: runs every stage with RUNTIME_SVG set, so each draws its own timeline
// from a real run into its folder (timeline.svg; threads-timeline.svg) for the READMEs.
// `--out DIR` draws them under DIR/<stage folder>/ instead, so a test can run it without
// touching the committed pictures.

const values = readOptions(
  {
    args: process.argv.slice(2).filter((arg) => arg !== "--"),
    options: { out: { type: "string" } },
    strict: true,
  },
  "pnpm images takes only --out DIR (draw under DIR instead of the stages' folders)",
);
const outRoot = values.out === undefined ? ROOT : resolve(values.out);

const server = await startDelayServerThread({ port: 0, quiet: true });
try {
  for (const stage of STAGES) {
    const name = stage.key === "threads" ? "threads-timeline.svg" : "timeline.svg";
    mkdirSync(join(outRoot, stage.folder), { recursive: true });
    const run = runStage(
      stage,
      {
        DELAYSERVER: server.address,
        RUNTIME_SVG: join(outRoot, stage.folder, name),
        RUNTIME_SVG_TITLE: `${stage.folder}${stage.key === "threads" ? " (threads)" : ""}: ${stage.section}`,
      },
      ["ignore", "ignore", "inherit"],
    );
    if (run.status !== 0)
      throw new Error(`stage ${stage.key} failed (exit ${run.status ?? run.signal})`);
    process.stdout.write(`wrote ${stage.folder}/${name}\n`);
  }
} finally {
  await server.close();
}
