import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";
import { capturePrintln } from "@ch08/http";

/** Sends this thread's `println` output to a string; call the result to read it. */
export function capturedPrintln(): { text(): string; clear(): void } {
  let text = "";
  capturePrintln((t) => {
    text += t;
  });
  return {
    text: () => text,
    clear: () => {
      text = "";
    },
  };
}

/** Replaces the `Date:` header's value, the only part of a response that changes run to run. */
export function maskDate(text: string): string {
  return text.replace(/^Date: .*$/gim, "Date: <masked>");
}

/** A port nobody listens on: listen on 0, note the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The port of a `host:port` address. */
export function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(":") + 1));
}

/** Open file descriptors of this process. */
export function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

/**
 * How many of this process's fds are TCP client sockets connected to `port` — our side
 * only, not the server's accepted sockets (which, with an in-process server thread, are
 * fds of this process too). Read from /proc/self/net/tcp, matched by socket inode; that
 * file lists every socket of the host, TIME_WAIT ones included, so a call can take a few
 * hundred ms on a busy machine: call it once per check, not in a loop.
 */
export function clientSocketsTo(port: number): number {
  const ours = new Set<string>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined) ours.add(inode);
    } catch {
      // The fd readdir itself used is gone by now.
    }
  }
  let count = 0;
  for (const line of readFileSync("/proc/self/net/tcp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const remote = fields[2];
    const inode = fields[9];
    if (remote === undefined || inode === undefined) continue;
    if (Number.parseInt(remote.split(":")[1] ?? "", 16) === port && ours.has(inode)) count++;
  }
  return count;
}

/** Waits (with a deadline) until `read()` returns `expected`; returns the last value. */
export async function settle(
  read: () => number,
  expected: number,
  timeoutMs = 3000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let now = read();
  while (now !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    now = read();
  }
  return now;
}

/** The value of `read()` once it has stopped changing (same three times, 50 ms apart). */
export async function stable(read: () => number, timeoutMs = 3000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = read();
  let same = 0;
  while (same < 3 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}
