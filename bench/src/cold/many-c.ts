// Stage c as a whole program: argv[2] concurrent GET argv[3], one task each on one
// executor, then print how many came back 200. Compared start to exit with many-net.ts.
import { runtime } from "@ch08/c-runtime-executor";
import { capturePrintln } from "@ch08/http";
import { Cell, spawnAll } from "../client/spawn-all.js";

const n = Number(process.argv[2] ?? 2_000);
const path = process.argv[3] ?? "/300/x";
const cells = new Int32Array(Cell.SIZE);
// The book's "FIRST POLL" line per request is the demo talking, not the runtime working
// (node:net's client prints nothing either): silenced, as in the warmed clients.
capturePrintln(() => {});
runtime.init().blockOn(spawnAll(n, () => path, { cells }));
process.stdout.write(`ok ${cells[Cell.OK]}\n`);
