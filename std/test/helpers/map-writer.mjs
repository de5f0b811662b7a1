// Writes one key's value over and over, as (id·1e6 + i, id·1e6 + i): a reader that ever
// sees the two numbers differ has read half of one write and half of another.
import { workerData } from "node:worker_threads";
import { SharedMap } from "../../dist/index.js";

const map = new SharedMap(workerData.buffer);
const done = new Int32Array(workerData.done);
const { id, rounds, key } = workerData;
for (let i = 0; i < rounds; i++) {
  const value = id * 1_000_000 + i;
  map.set(key, value, value);
}
Atomics.add(done, 0, 1);
export function nothing() {}
