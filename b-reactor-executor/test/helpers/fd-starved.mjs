// Starts the runtime with only `argv[2]` file descriptors left, and prints what init said.
import { closeSync, openSync } from "node:fs";
import * as runtime from "../../dist/runtime.js";

const held = [];
try {
  for (;;) held.push(openSync("/dev/null", "r"));
} catch {
  // EMFILE: the table is full.
}
for (let i = 0; i < Number(process.argv[2]); i++) closeSync(held.pop());
try {
  runtime.init();
  console.log("started");
  runtime.shutdown();
} catch (error) {
  console.log(`${error.name}: ${error.message}`);
}
