// A small HTTP server on its own thread, so the test thread may block in epoll_wait
// while the server keeps answering. Routes:
//   GET /{ms}/{msg}               wait ms, then answer msg (like the delayserver)
//   GET /chunks/{count}/{pauseMs} answer in `count` chunks, pausing between them
// Every response closes the connection, so a client reads to end of stream.
import http from "node:http";
import { parentPort } from "node:worker_threads";

const server = http.createServer((req, res) => {
  const parts = (req.url ?? "/").split("/").filter((p) => p.length > 0);
  res.setHeader("Connection", "close");
  if (parts[0] === "chunks") {
    const count = Number(parts[1] ?? 3);
    const pause = Number(parts[2] ?? 20);
    res.writeHead(200, { "Content-Type": "text/plain" });
    let i = 0;
    const next = () => {
      res.write(`chunk-${i}\n`);
      i += 1;
      if (i < count) setTimeout(next, pause);
      else res.end();
    };
    next();
    return;
  }
  const delay = Number(parts[0] ?? 0);
  const message = decodeURIComponent(parts[1] ?? "");
  setTimeout(() => {
    res.writeHead(200, {
      "Content-Type": "text/plain",
      "Content-Length": Buffer.byteLength(message),
    });
    res.end(message);
  }, delay);
});
server.keepAliveTimeout = 0;

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  parentPort?.postMessage({ port: typeof address === "object" && address ? address.port : 0 });
});

parentPort?.on("message", (msg) => {
  if (msg === "stop") {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
