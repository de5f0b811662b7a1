import { join } from "node:path";
import { startDelayServerThread } from "@ch08/delayserver";
import { ROOT, runStage, STAGES } from "./stages.js";

// `pnpm images`: runs every stage with RUNTIME_SVG set, so each draws its own timeline
// from a real run into its folder (timeline.svg; threads-timeline.svg) for the READMEs.

const server = await startDelayServerThread({ port: 0, quiet: true });
try {
  for (const stage of STAGES) {
    const name = stage.key === "threads" ? "threads-timeline.svg" : "timeline.svg";
    const run = runStage(
      stage,
      {
        DELAYSERVER: server.address,
        RUNTIME_SVG: join(ROOT, stage.folder, name),
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
