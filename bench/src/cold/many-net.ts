// The node:net + Promise.all client as a whole program: argv[2] concurrent GET argv[3],
// then print how many came back 200. Its cost start to exit is the baseline of section 3.
import { netGet } from "../client/baselines.js";
import { isOk } from "../client/measure.js";

const n = Number(process.argv[2] ?? 2_000);
const path = process.argv[3] ?? "/300/x";
const address = process.env.DELAYSERVER ?? "127.0.0.1:8080";
const colon = address.lastIndexOf(":");
const request = Buffer.from(
  `GET ${path} HTTP/1.1\r\nHost: ${address}\r\nConnection: close\r\n\r\n`,
);
const answers = await Promise.all(
  Array.from({ length: n }, () =>
    netGet(address.slice(0, colon), Number(address.slice(colon + 1)), request),
  ),
);
process.stdout.write(`ok ${answers.filter(isOk).length}\n`);
