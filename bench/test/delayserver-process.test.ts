// The delayserver the clients run against: as many accept queues on its one port as a
// batch's connects need, so a client that connects fast loses no SYN to a full queue.
import { readFileSync } from "node:fs";
import { get } from "@ch08/delayserver/test/suites/client";
import { expect, it } from "vitest";

// The built bench: its server process is built JavaScript, forked from dist.
const { forkDelayServer, somaxconn } = (await import(
  new URL("../dist/index.js", import.meta.url).href
)) as typeof import("../src/index.js");

/** Listening TCP sockets on 127.0.0.1:`port`, as the kernel lists them. */
function listeningOn(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .filter((line) => {
      const [, local, , state] = line.trim().split(/\s+/);
      return local === `0100007F:${hexPort}` && state === "0A"; // 0A: LISTEN
    }).length;
}

it("listens on enough sockets sharing one port for a batch's connects, and answers on each", async () => {
  const queue = somaxconn() ?? 4096;
  // Three queues' worth of connects, with a quarter to spare: four queues.
  const server = await forkDelayServer(3 * queue);
  try {
    expect(server.listeners).toBe(4);
    expect(listeningOn(server.port)).toBe(4);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => get(server.address, `/0/q${i}`)),
    );
    expect(answers.every((a, i) => a.status === 200 && a.body === `q${i}`)).toBe(true);
  } finally {
    await server.stop();
  }
  expect(listeningOn(server.port)).toBe(0);

  // A batch that one queue holds gets one socket.
  const small = await forkDelayServer(100);
  try {
    expect(small.listeners).toBe(1);
    expect(listeningOn(small.port)).toBe(1);
  } finally {
    await small.stop();
  }
});
