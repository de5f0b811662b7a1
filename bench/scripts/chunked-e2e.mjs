// The same hostile answer as chunked-cpu.mjs, but over a real socket: a server in a
// child process drips a chunked body of 1-byte chunks in 1460-byte writes, and this
// process reads it with HttpGetFuture over a mio Poll, as stage a would. The CPU time
// printed is this process's only (the server's is its own process's).
//
//   node bench/scripts/chunked-e2e.mjs [dist directory, default http/dist]
import { fork } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

if (process.argv[2] === "serve") {
  const server = createServer(async (socket) => {
    socket.setNoDelay(true);
    socket.on("error", () => {});
    const kb = await new Promise((done) =>
      socket.once("data", (d) => done(Number(/GET \/(\d+)/.exec(d.toString())?.[1]))),
    );
    const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const chunks = Math.floor((kb * 1024 - head.length - 5) / 6);
    const all = Buffer.from(`${head}${"1\r\nx\r\n".repeat(chunks)}0\r\n\r\n`, "latin1");
    for (let at = 0; at < all.length && !socket.destroyed; at += 1460) {
      if (!socket.write(all.subarray(at, at + 1460))) {
        await new Promise((done) => socket.once("drain", done));
      }
      await new Promise((done) => setImmediate(done));
    }
    socket.end();
  });
  server.listen(0, "127.0.0.1", () => process.send?.(server.address().port));
} else {
  const dist = resolve(process.argv[2] ?? new URL("../../http/dist", import.meta.url).pathname);
  const { HttpGetFuture } = await import(pathToFileURL(`${dist}/index.js`).href);
  const { Events, Poll } = await import("@ch08/mio");
  const child = fork(new URL(import.meta.url).pathname, ["serve"]);
  const port = await new Promise((done) => child.once("message", done));
  const poll = new Poll();
  const events = new Events(64);
  const reactor = {
    nextId: () => 1,
    register: (stream, id, interest) => poll.registry().register(stream, id, interest),
    reregister: (stream, id, interest) => poll.registry().reregister(stream, id, interest),
    setWaker: () => {},
    deregister: (stream) => poll.registry().deregister(stream),
  };
  const { capturePrintln } = await import(pathToFileURL(`${dist}/index.js`).href);
  capturePrintln(() => {});
  for (const kb of [120, 900]) {
    const future = new HttpGetFuture(`/${kb}`, reactor, { address: `127.0.0.1:${port}` });
    const before = process.cpuUsage();
    const started = performance.now();
    for (;;) {
      const state = future.poll(undefined);
      if (state.ready) break;
      poll.poll(events, 60_000);
    }
    const used = process.cpuUsage(before);
    console.log(
      `${kb} KB of 1-byte chunks over a socket: ${((used.user + used.system) / 1000).toFixed(0)} ms client CPU, ` +
        `${(performance.now() - started).toFixed(0)} ms wall, ${future.polls} polls, ` +
        `${future.response.body.length} body bytes`,
    );
  }
  poll.close();
  child.kill();
}
