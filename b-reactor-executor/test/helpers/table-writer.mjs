// Writes one token's waker over and over, as (id·1e6 + i, id·1e6 + i): a reader that
// ever sees the two numbers differ has read half of one write and half of another.
import { workerData } from "node:worker_threads";
import { WakerTable } from "../../dist/index.js";

const table = new WakerTable(workerData.buffer);
const done = new Int32Array(workerData.done);
const { id, rounds, token } = workerData;
for (let i = 0; i < rounds; i++) {
  const value = id * 1_000_000 + i;
  table.set(token, value, value);
}
Atomics.add(done, 0, 1);
