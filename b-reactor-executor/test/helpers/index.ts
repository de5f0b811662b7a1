import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { type DelayServer, startDelayServerThread } from "@ch08/delayserver";
import { capturePrintln } from "@ch08/http";
import { Interest, Waker as MioWaker, Poll, Token } from "@ch08/mio";
import {
  type Executor,
  NOT_READY,
  type PollState,
  ready,
  runtime,
  type Waker,
} from "../../dist/index.js";

/**
 * A delayserver on its own worker thread (the executor blocks this one), made the
 * leaf futures' server through DELAYSERVER.
 */
export async function startServer(): Promise<DelayServer> {
  const server = await startDelayServerThread({ port: 0, quiet: true });
  process.env.DELAYSERVER = server.address;
  return server;
}

/** What `println` printed since `capture()`; `release()` gives stdout back. */
export interface Printed {
  readonly lines: string[];
  release(): void;
}

/** Sends this thread's `println` lines to an array instead of fd 1. */
export function capture(): Printed {
  const lines: string[] = [];
  capturePrintln((text) => {
    for (const line of text.split("\n").slice(0, -1)) lines.push(line);
  });
  return { lines, release: () => capturePrintln(undefined) };
}

/** A new reactor thread, so its counts start at zero, and an executor for this thread. */
export function freshRuntime(): Executor {
  runtime.shutdown();
  return runtime.init();
}

/** Blocks this thread for `ms` without its event loop (the reactor thread runs meanwhile). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Waits (sleeping in steps) until `done()` holds; false if `timeoutMs` passes first. */
export function waitUntil(done: () => boolean, timeoutMs = 5000): boolean {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    sleepSync(1);
  }
  return true;
}

/**
 * An eventfd (a mio `Waker`) registered with the running reactor under a fresh token:
 * a source the test makes readable by calling `wake()` on it, from any thread.
 *
 * mio's `Waker` registers itself with the `Registry` it is made on, and stage b does not
 * hand out the reactor's; so it is made on a side `Poll` that nobody polls, then added
 * to the reactor's epoll with `reactor().register` — an fd may sit in several epolls.
 */
export class EventSource {
  /** The token its events carry in the reactor. */
  readonly id: number;
  /** The eventfd, as a mio `Waker`: `wake()` makes it readable, `reset()` drains it. */
  readonly eventfd: MioWaker;
  private readonly side = new Poll({ backend: "epoll" });

  constructor() {
    this.id = runtime.reactor().nextId();
    this.eventfd = new MioWaker(this.side.registry(), Token(this.id));
    runtime.reactor().register(this.eventfd, this.id, Interest.READABLE);
  }

  /**
   * Drains the eventfd and re-arms it, so its next `wake()` is a new event. epoll would
   * not need the re-arm; the poll(2) backend (MIO_BACKEND=poll) stops reporting a source
   * once reported until it is re-armed, and `reregister` re-arms on both.
   */
  drain(): void {
    this.eventfd.reset();
    runtime.reactor().reregister(this.eventfd, this.id, Interest.READABLE);
  }

  /** Stops watching it, forgets its waker, closes it. */
  close(): void {
    try {
      runtime.reactor().deregister(this.eventfd, this.id);
    } finally {
      this.eventfd.close();
      this.side.close();
    }
  }
}

/**
 * A leaf future that is ready when its eventfd has fired (the test wakes it): each poll
 * stores the waker it was given, as every leaf future must.
 */
export class EventFuture {
  /** How many times it was polled. */
  polls = 0;
  private fired = false;

  constructor(readonly source: EventSource) {}

  /** Ready once `fire()` was called and a poll came after it. */
  poll(waker: Waker): PollState<number> {
    this.polls++;
    if (this.fired) return ready(this.polls);
    runtime.reactor().setWaker(waker, this.source.id);
    return NOT_READY;
  }

  /** Makes it ready on its next poll, and makes the reactor wake its waker. */
  fire(): void {
    this.fired = true;
    this.source.eventfd.wake();
  }
}

/** This process's open fds, as `fd -> what it is` (e.g. `anon_inode:[eventpoll]`). */
export function openFds(): Map<string, string> {
  const fds = new Map<string, string>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      fds.set(fd, readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // The fd readdir used to list the directory, already closed.
    }
  }
  return fds;
}

/**
 * The epoll fds of this process that watch something edge-triggered: mio's (it registers
 * everything with EPOLLET, and the reactor's always holds its stop waker), not libuv's.
 */
export function mioEpollFds(): string[] {
  const found: string[] = [];
  for (const [fd, target] of openFds()) {
    if (target !== "anon_inode:[eventpoll]") continue;
    let info: string;
    try {
      info = readFileSync(`/proc/self/fdinfo/${fd}`, "utf8");
    } catch {
      continue;
    }
    const edgeTriggered = [...info.matchAll(/^tfd:\s+\d+\s+events:\s+([0-9a-f]+)/gm)].some(
      (m) => (Number.parseInt(m[1] ?? "0", 16) & 0x8000_0000) !== 0,
    );
    if (edgeTriggered) found.push(fd);
  }
  return found;
}

/** Removes the date from an HTTP response, the only part that changes from run to run. */
export function maskDate(text: string): string {
  return text.replace(/^Date: .*$/gm, "Date: <masked>");
}
