import { connect, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { runNode } from "@ch08/delayserver/test/suites/child";
import { within } from "@ch08/delayserver/test/suites/client";
import { describe, expect, it } from "vitest";

// A server that runs out of file descriptors must say so once, say what to do, and serve
// again by itself once clients leave: the connections that came meanwhile wait in the
// kernel's accept queue, and an edge-triggered listener reports no new event for them.

const SERVE = fileURLToPath(new URL("../dist/serve.js", import.meta.url));

/** One connection sending `GET path`; `answer` resolves with all it was sent once closed. */
function request(port: number, path: string): { socket: Socket; answer: Promise<string> } {
  const socket = connect({ host: "127.0.0.1", port });
  socket.on("connect", () =>
    socket.write(`GET ${path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`),
  );
  let text = "";
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    text += chunk;
  });
  const answer = new Promise<string>((resolve) => {
    socket.on("close", () => resolve(text));
    socket.on("error", () => {});
  });
  return { socket, answer };
}

// Three threads start with more descriptors open (each loads its modules) than one.
for (const [threads, limit] of [
  [1, 64],
  [2, 128],
] as const) {
  describe(`out of file descriptors (threads: ${threads}, ulimit -n ${limit})`, () => {
    it("says so once, with what to do, and answers the connections that waited once clients leave", async () => {
      // `pnpm serve` under `ulimit -n limit`, as an operator's shell would start it.
      const server = runNode([SERVE, "--port", "0", "--quiet", "--threads", String(threads)], {
        maxOpenFiles: limit,
      });
      const held: Socket[] = [];
      try {
        const [, port] = await server.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
        // More held requests than the server has descriptors for.
        for (let i = 0; i < limit + 16; i++) {
          held.push(request(Number(port), `/60000/held${i}`).socket);
        }
        await server.waitForError(/cannot accept new connections/);
        const said = server.stderr();
        expect(said).toContain(`out of file descriptors (\`ulimit -n\` is ${limit})`);
        expect(said).toMatch(/wait in the kernel's queue/);
        expect(said).toMatch(/ulimit -n 65536/);
        // This one waits in the kernel's queue: no descriptor is free to accept it.
        const late = request(Number(port), "/0/late");
        await new Promise((resolve) => setTimeout(resolve, 300));
        // The held clients leave; no new connection comes to wake the listener.
        for (const socket of held) socket.destroy();
        const answer = await within(late.answer, 10_000, "the waiting connection's answer");
        expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
        expect(answer.endsWith("\r\n\r\nlate")).toBe(true);
        // Said once, not once per refused accept (a retry every 100 ms for over 300 ms).
        expect(server.stderr().match(/cannot accept new connections/g)).toHaveLength(1);
      } finally {
        for (const socket of held) socket.destroy();
        server.process.kill("SIGKILL");
      }
    });
  });
}
