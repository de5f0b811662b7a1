// A raw TCP server on a worker thread that answers each path with a canned byte sequence:
// the odd responses a real HTTP server would not send (close-delimited, split headers,
// garbage, cut short, oversized, no answer at all). Plain .mjs so the worker loads it
// without a build. It runs on its own thread because the code under test blocks the main
// thread in epoll_wait, where an in-process server would never get to answer.
import { createServer } from "node:net";
import { parentPort } from "node:worker_threads";

const port = parentPort;
if (port === null) throw new Error("raw-server.mjs must run in a worker thread");

const HEAD_200 = "HTTP/1.1 200 OK\r\n";

/** A step: bytes to write, a pause in ms, or how to finish the connection. */
const write = (data) => ({ write: data });
const pause = (ms) => ({ pause: ms });
const END = { end: true }; // FIN after the last write
const RESET = { reset: true }; // RST
const HOLD = { hold: true }; // keep the connection open, say nothing more

/** Path → steps. `/echo` is special: it answers with the request it received. */
const routes = new Map([
  [
    "/content-length",
    [write(`${HEAD_200}Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nHello`), HOLD],
  ],
  [
    "/chunked",
    [
      write(`${HEAD_200}Transfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n`),
      pause(20),
      write("7\r\n, chunk\r\n0\r\n\r\n"),
      HOLD,
    ],
  ],
  [
    // Chunk sizes and CRLFs split across writes with pauses, then a trailer.
    "/chunked-split",
    [
      write(`${HEAD_200}Transfer-Encoding: chunked\r\n\r\n`),
      pause(20),
      write("1"),
      pause(20),
      write("0\r"),
      pause(20),
      write("\nsixteen bytes!!!\r"),
      pause(20),
      write("\n0\r\nX-Trailer: yes\r"),
      pause(20),
      write("\n\r\n"),
      HOLD,
    ],
  ],
  [
    "/http10",
    [
      write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"),
      pause(20),
      write("until the end"),
      END,
    ],
  ],
  [
    "/split-headers",
    [
      write("HTTP/1.1 20"),
      pause(30),
      write("0 OK\r\nContent-Le"),
      pause(30),
      write("ngth: 11\r\n\r"),
      pause(30),
      write("\nsplit "),
      pause(30),
      write("reply"),
      HOLD,
    ],
  ],
  ["/no-content", [write("HTTP/1.1 204 No Content\r\nX-Why: nothing\r\n\r\n"), HOLD]],
  ["/garbage", [write("SSH-2.0-OpenSSH_9.6\r\n\r\n"), END]],
  ["/bad-header", [write(`${HEAD_200}this line has no colon\r\n\r\n`), END]],
  ["/bad-chunk", [write(`${HEAD_200}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n`), END]],
  ["/truncated-body", [write(`${HEAD_200}Content-Length: 100\r\n\r\nonly this much`), END]],
  ["/truncated-head", [write(`${HEAD_200}Content-Type: te`), END]],
  ["/truncated-chunked", [write(`${HEAD_200}Transfer-Encoding: chunked\r\n\r\n5\r\nHel`), END]],
  ["/close-without-answer", [END]],
  ["/reset", [RESET]],
  [
    "/huge",
    [write(`${HEAD_200}Content-Length: ${2 << 20}\r\n\r\n`), write("x".repeat(2 << 20)), END],
  ],
  ["/never", [HOLD]],
  [
    "/early-hints",
    [
      write("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"),
      pause(20),
      write(`${HEAD_200}Content-Length: 5\r\n\r\nHello`),
      HOLD,
    ],
  ],
  [
    "/continue",
    [
      write("HTTP/1.1 100 Continue\r\n\r\n"),
      write(`${HEAD_200}Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n`),
      HOLD,
    ],
  ],
  // More than the Content-Length says, on a held connection.
  ["/trailing", [write(`${HEAD_200}Content-Length: 2\r\n\r\nokEXTRA`), HOLD]],
  ["/lf-only", [write("HTTP/1.1 200 OK\nContent-Length: 2\n\nhi"), END]],
  // No line end, and the connection held: only a parser that looks at once can tell.
  ["/ssh-held", [write("SSH-2.0-OpenSSH_9.6"), HOLD]],
]);

const sockets = new Set();
let served = 0;

const server = createServer((socket) => {
  sockets.add(socket);
  socket.on("close", () => sockets.delete(socket));
  // The client may close first (an error, a cap): that is part of the tests.
  socket.on("error", () => {});
  let request = "";
  let answered = false;
  socket.on("data", (data) => {
    if (answered) return;
    request += data.toString("latin1");
    const end = request.indexOf("\r\n\r\n");
    if (end < 0) return;
    answered = true;
    served++;
    const path = request.slice(4, request.indexOf(" ", 4));
    const steps =
      path === "/echo"
        ? [write(`${HEAD_200}Content-Length: ${end + 4}\r\n\r\n${request.slice(0, end + 4)}`), END]
        : (routes.get(path) ?? [write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), END]);
    void play(socket, steps);
  });
  // The client closed its side: nothing more to say on held connections.
  socket.on("end", () => socket.destroy());
});

async function play(socket, steps) {
  for (const step of steps) {
    if (socket.destroyed) return;
    if ("write" in step) socket.write(step.write);
    else if ("pause" in step) await new Promise((resolve) => setTimeout(resolve, step.pause));
    else if ("end" in step) socket.end();
    else if ("reset" in step) socket.resetAndDestroy();
  }
}

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  port.postMessage({ type: "listening", address: `127.0.0.1:${address.port}` });
});

port.on("message", (message) => {
  if (message.type === "stats") {
    port.postMessage({ type: "stats", served, open: sockets.size });
  } else if (message.type === "close") {
    for (const socket of sockets) socket.destroy();
    server.close(() => port.close());
  }
});
