/**
 * The benchmark's delay server, in its own process: GET /{ms}/{msg} waits ms, then
 * answers msg and closes. Prints its port as one JSON line on stdout.
 */
import http from "node:http";

const server = http.createServer((req, res) => {
  const [, ms = "0", msg = ""] = (req.url ?? "/").split("/");
  setTimeout(() => {
    const body = decodeURIComponent(msg);
    res.writeHead(200, {
      "Content-Type": "text/plain",
      "Content-Length": Buffer.byteLength(body),
      Connection: "close",
    });
    res.end(body);
  }, Number(ms));
});
server.keepAliveTimeout = 0;
server.maxConnections = 100_000;

// The default backlog (511) would drop SYNs of a 2,000-connection burst and add 1 s
// retransmits to the wall time of whichever client ran into it.
server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
