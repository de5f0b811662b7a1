// Serving on a socket bound elsewhere (`fd`): how the bench gives the delayserver several
// accept queues on one port, with mio's SO_REUSEPORT listeners.
import { closeSync, openSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { TcpListener } from "@ch08/mio";
import { expect, it } from "vitest";
import { ListenError } from "../src/errors.js";
import { startDelayServer } from "../src/server.js";
import { canBind, get, loadDist } from "./helpers.js";

it("serves on a socket bound elsewhere, says where, and frees it on close()", async () => {
  const listener = TcpListener.bind("127.0.0.1:0");
  const { port } = listener.localAddr();
  // The server takes the socket over: its close() closes it, so the listener object is
  // not closed here.
  const server = await startDelayServer({ fd: listener.fd, quiet: true });
  try {
    expect(server.port).toBe(port);
    expect(server.address).toBe(`127.0.0.1:${port}`);
    expect((await get(server.address, "/20/on-fd")).body).toBe("on-fd");
  } finally {
    await server.close();
  }
  expect(await canBind(port)).toBe(true);
});

it("serves on a socket bound elsewhere from a thread of its own too, and says why not", async () => {
  const { startDelayServerThread } = await loadDist();
  const listener = TcpListener.bind("127.0.0.1:0");
  const server = await startDelayServerThread({ fd: listener.fd, quiet: true });
  try {
    expect(server.port).toBe(listener.localAddr().port);
    expect((await get(server.address, "/20/thread")).body).toBe("thread");
  } finally {
    await server.close();
  }
  // The thread's refusal comes back with the same words as this thread's.
  const file = openSync(fileURLToPath(import.meta.url), "r");
  try {
    await expect(startDelayServerThread({ fd: file, quiet: true })).rejects.toThrow(
      new RegExp(`cannot serve on fd ${file} .*open and bound`),
    );
  } finally {
    closeSync(file);
  }
});

it("shares a port with another over SO_REUSEPORT, each answering on its own queue", async () => {
  const first = TcpListener.bind("127.0.0.1:0", { reusePort: true });
  const { port } = first.localAddr();
  const second = TcpListener.bind(`127.0.0.1:${port}`, { reusePort: true });
  const lines: string[][] = [[], []];
  const servers = await Promise.all(
    [first, second].map((listener, i) =>
      startDelayServer({ fd: listener.fd, log: (line) => lines[i]?.push(line) }),
    ),
  );
  try {
    const answers = await Promise.all(
      Array.from({ length: 32 }, (_, i) => get(`127.0.0.1:${port}`, `/0/r${i}`)),
    );
    expect(answers.map((a) => a.body)).toEqual(Array.from({ length: 32 }, (_, i) => `r${i}`));
    // Each connection is a port of its own that the kernel hashes to one of the queues.
    expect(lines[0]?.length).toBeGreaterThan(0);
    expect(lines[1]?.length).toBeGreaterThan(0);
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }
});

it("refuses an fd with host or port, a bad fd, and a descriptor that is no socket", async () => {
  await expect(startDelayServer({ fd: 3, port: 0 })).rejects.toThrow(
    /either fd .* or host and port/,
  );
  await expect(startDelayServer({ fd: -1 })).rejects.toThrow(RangeError);
  // This test's own source, opened for reading: a descriptor, but no socket.
  const file = openSync(fileURLToPath(import.meta.url), "r");
  try {
    const refused = startDelayServer({ fd: file, quiet: true });
    await expect(refused).rejects.toThrow(ListenError);
    await expect(refused).rejects.toThrow(
      new RegExp(`cannot serve on fd ${file} .*open and bound`),
    );
  } finally {
    closeSync(file);
  }
});
