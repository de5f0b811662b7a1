// A server (threads from argv[2]) given a job that fails (the export named by argv[3],
// "throws" by default: one that throws, or one that returns no future), then asked for an
// answer and stopped: what it prints, and the failure it reports on stderr, are the test's.
import { get } from "node:http";
import { startServer } from "../../dist/server/start.js";
import { Spawner } from "../../dist/spawner.js";

const jobs = new URL("./jobs.mjs", import.meta.url).href;
const threads = Number(process.argv[2]);
const server = await startServer({ port: 0, threads, quiet: true, graceMs: 500, modules: [jobs] });
new Spawner(server.spawner(0)).spawn(jobs, process.argv[3] ?? "throws");
const body = await new Promise((resolve, reject) => {
  const request = get(
    { port: server.port, path: "/0/after", agent: false, timeout: 5000 },
    (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (s) => {
        text += s;
      });
      res.on("end", () => resolve(text));
    },
  );
  request.on("timeout", () => request.destroy(new Error("no answer within 5 s")));
  request.on("error", reject);
});
console.log(`answer: ${body}`);
console.log(`stopped: ${JSON.stringify(await server.stop())}`);
