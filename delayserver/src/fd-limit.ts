// Knowing when the server has run out of file descriptors. libuv hides it: when accept()
// fails with EMFILE it closes a descriptor it keeps in reserve, accepts and closes every
// pending connection, and reports nothing, so Node never hears of the clients it turned away.
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";

/** The soft RLIMIT_NOFILE (`ulimit -n`) of this process, or undefined where /proc cannot say. */
export function openFileLimit(): number | undefined {
  let limits: string;
  try {
    limits = readFileSync("/proc/self/limits", "latin1");
  } catch {
    return undefined;
  }
  const soft = /^Max open files\s+(\d+)\s/m.exec(limits)?.[1];
  return soft === undefined ? undefined : Number(soft);
}

/**
 * The descriptor number of an accepted socket, if Node lets us see it. The kernel hands out
 * the lowest free number, so a socket given the highest one the limit allows means every
 * descriptor is in use: the next accept() fails.
 */
export function socketFd(socket: Socket): number | undefined {
  // `_handle.fd` is not in Node's types but has been there since the first releases.
  const handle: unknown = Reflect.get(socket, "_handle");
  if (typeof handle !== "object" || handle === null) return undefined;
  const fd: unknown = Reflect.get(handle, "fd");
  return typeof fd === "number" && fd >= 0 ? fd : undefined;
}

/** What the server says when it cannot accept: what happened, what it does, what to do. */
export function outOfDescriptorsText(limit: number, connections: number, since: number): string {
  const again = since > 0 ? ` (again; ${since} more times since the last report)` : "";
  return (
    `delayserver: cannot accept new connections${again}: all ${limit} file descriptors ` +
    `that \`ulimit -n\` allows this process are in use, ${connections} of them by client ` +
    "connections. Until some close, new connections are closed unanswered. Raise the limit " +
    "before starting the server, e.g. `ulimit -n 65536`."
  );
}

/** The advice for an accept() error Node does report: EMFILE, ENFILE, or anything else. */
export function acceptErrorText(code: string | undefined, message: string): string {
  if (code === "EMFILE") {
    return `delayserver: ${message}: this process is out of file descriptors; raise \`ulimit -n\` (e.g. \`ulimit -n 65536\`) before starting the server`;
  }
  if (code === "ENFILE") {
    return `delayserver: ${message}: the system's file table is full; close other programs or raise fs.file-max (sysctl)`;
  }
  return `delayserver: ${message}`;
}
