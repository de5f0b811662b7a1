// Stage c as a whole program: argv[2] concurrent GET argv[3], one task each on one
// executor, then print how many came back 200. Compared start to exit with many-net.ts.
import { runtime } from "@ch08/c-runtime-executor";
import { Cell, spawnAll } from "../client/spawn-all.js";

const n = Number(process.argv[2] ?? 2_000);
const path = process.argv[3] ?? "/300/x";
const cells = new Int32Array(Cell.SIZE);
runtime.init().blockOn(spawnAll(n, () => path, { cells }));
process.stdout.write(`ok ${cells[Cell.OK]}\n`);
