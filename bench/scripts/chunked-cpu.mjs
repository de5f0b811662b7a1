// How much CPU the response parser spends on a chunked body of 1-byte chunks — the
// cheapest way for a hostile server to make a client work. A script, not a test: CPU
// time is measured here and reported, never asserted.
//
//   node bench/scripts/chunked-cpu.mjs [dist directory, default http/dist]
//
// Each size is fed in reads of one TCP segment (1460 bytes, what a server that writes
// slowly produces) and of 64 KiB (the leaf future's read buffer).
// It loads response.js alone, so an older build copied anywhere can be measured too.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dist = resolve(process.argv[2] ?? new URL("../../http/dist", import.meta.url).pathname);
const { ResponseParser } = await import(pathToFileURL(`${dist}/response.js`).href);

/** A response whose chunked framing is `bytes` long, all of it 1-byte chunks. */
function oneByteChunks(bytes) {
  const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const chunks = Math.floor((bytes - head.length - 5) / 6);
  return Buffer.from(`${head}${"1\r\nx\r\n".repeat(chunks)}0\r\n\r\n`, "latin1");
}

// Warm up first, so the first figure does not pay for compiling the parser.
for (let i = 0; i < 20; i++) {
  const parser = new ResponseParser();
  parser.push(oneByteChunks(16 * 1024));
  parser.finish();
}

for (const kb of [120, 900]) {
  const response = oneByteChunks(kb * 1024);
  for (const piece of [1460, 64 * 1024]) {
    const parser = new ResponseParser(response.length);
    const before = process.cpuUsage();
    let complete = false;
    for (let at = 0; at < response.length && !complete; at += piece) {
      complete = parser.push(response.subarray(at, at + piece));
    }
    const body = parser.finish().body.length;
    const used = process.cpuUsage(before);
    const ms = (used.user + used.system) / 1000;
    console.log(
      `${kb} KB of 1-byte chunks (${body} body bytes) in ${piece}-byte reads: ${ms.toFixed(1)} ms CPU`,
    );
  }
}
