import { readdirSync } from "node:fs";
import { createServer } from "node:net";
import { Events, type Interest, Poll, type TcpStream, Token } from "@ch08/mio";
import {
  capturePrintln,
  type HttpGetFuture,
  type PollState,
  type Reactor,
} from "../../dist/index.js";

/** What the test reactor was asked to do, in order (`op id`). */
export type Call = string;

/**
 * The smallest stage: a `Reactor<void>` over a real mio `Poll`, with a fresh token per
 * future and a record of every call, so tests can see what the leaf future asks for.
 * Its waker table works like stage c's: token `t` takes slot `t % capacity`, and storing
 * a waker in a slot another token still holds fails.
 */
export class TestReactor implements Reactor<void> {
  readonly poll = new Poll();
  readonly calls: Call[] = [];
  /** Tokens currently registered. */
  readonly registered = new Set<number>();
  /** Waker slots in use: slot → the token holding it. */
  readonly wakers = new Map<number, number>();
  private next = 1;
  private readonly events = new Events(64);

  constructor(private readonly capacity = 1 << 16) {}

  nextId(): number {
    return this.next++;
  }

  register(stream: TcpStream, id: number, interest: Interest): void {
    this.poll.registry().register(stream, Token(id), interest);
    this.registered.add(id);
    this.calls.push(`register ${id} ${interest}`);
  }

  reregister(stream: TcpStream, id: number, interest: Interest): void {
    this.poll.registry().reregister(stream, Token(id), interest);
    this.calls.push(`reregister ${id} ${interest}`);
  }

  setWaker(_waker: undefined, id: number): void {
    this.calls.push(`setWaker ${id}`);
    const holder = this.wakers.get(id % this.capacity);
    if (holder !== undefined && holder !== id) {
      throw new Error(
        `more than ${this.capacity} registrations in flight (token ${id} meets ${holder})`,
      );
    }
    this.wakers.set(id % this.capacity, id);
  }

  deregister(stream: TcpStream, id: number): void {
    this.registered.delete(id);
    this.removeSlot(id);
    this.calls.push(`deregister ${id}`);
    this.poll.registry().deregister(stream);
  }

  removeWaker(id: number): void {
    this.removeSlot(id);
    this.calls.push(`removeWaker ${id}`);
  }

  private removeSlot(id: number): void {
    if (this.wakers.get(id % this.capacity) === id) this.wakers.delete(id % this.capacity);
  }

  /**
   * Polls `future` until it is ready, sleeping in `epoll_wait` in between, as stage a's
   * runtime does; throws if it is not ready within `timeoutMs`.
   */
  drive<T>(future: { poll(waker: undefined): PollState<T> }, timeoutMs = 5000): T {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const state = future.poll(undefined);
      if (state.ready) return state.value;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`not ready within ${timeoutMs} ms`);
      this.poll.poll(this.events, left);
    }
  }

  /** Drives several futures at once (each event polls them all); outputs or errors, in order. */
  driveAll(futures: HttpGetFuture<void>[], timeoutMs = 10_000): (string | Error)[] {
    const results: (string | Error | undefined)[] = futures.map(() => undefined);
    const deadline = performance.now() + timeoutMs;
    let left = futures.length;
    for (;;) {
      futures.forEach((future, i) => {
        if (results[i] !== undefined) return;
        try {
          const state = future.poll(undefined);
          if (!state.ready) return;
          results[i] = state.value;
        } catch (error) {
          results[i] = error instanceof Error ? error : new Error(String(error));
        }
        left--;
      });
      if (left === 0) return results.map((r) => r ?? new Error("unreachable"));
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw new Error(`${left} futures not ready within ${timeoutMs} ms`);
      this.poll.poll(this.events, remaining);
    }
  }

  close(): void {
    this.poll.close();
  }
}

/** Silences `println` for the rest of the file; returns what it printed so far on call. */
export function silencePrintln(): () => string {
  let text = "";
  capturePrintln((t) => {
    text += t;
  });
  return () => text;
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

/** Open file descriptors of this process. */
export function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** Waits (with a deadline) until the fd count comes back to `expected`; returns the last count. */
export async function settledFds(expected: number, timeoutMs = 3000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let now = openFds();
  while (now !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    now = openFds();
  }
  return now;
}

/** The fd count once it has stopped changing (same value three times, 50 ms apart). */
export async function stableFds(timeoutMs = 3000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = openFds();
  let same = 0;
  while (same < 3 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = openFds();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}
