/** The baseline client: the same requests with node:net sockets and Promise.all. */
import net from "node:net";
import { clientArgs, measure } from "./measure.js";

const { port, n, path } = clientArgs();
const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;

function get(): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const socket = net.connect(port, "127.0.0.1", () => socket.write(request));
    socket.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    socket.on("end", () => resolve(bytes));
    socket.on("error", reject);
  });
}

const report = await measure("node:net", n, async () => {
  const all = await Promise.all(Array.from({ length: n }, get));
  return { ok: all.length, bytes: all.reduce((a, b) => a + b, 0) };
});
process.stdout.write(`${JSON.stringify(report)}\n`);
