import { BroadcastChannel } from "node:worker_threads";

let channels = 0;

/** A BroadcastChannel the jobs report on, and the messages it got so far, awaitable with a deadline. */
export function listen(): {
  name: string;
  next(deadlineMs: number, what: string): Promise<unknown>;
  close(): void;
} {
  const name = `d-test-${process.pid}-${++channels}`;
  const channel = new BroadcastChannel(name);
  const queued: unknown[] = [];
  let waiting: ((message: unknown) => void) | undefined;
  channel.onmessage = (event: unknown) => {
    const data = (event as { data: unknown }).data;
    if (waiting !== undefined) {
      const resolve = waiting;
      waiting = undefined;
      resolve(data);
    } else queued.push(data);
  };
  return {
    name,
    next(deadlineMs, what) {
      if (queued.length > 0) return Promise.resolve(queued.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting = undefined;
          reject(new Error(`timed out after ${deadlineMs} ms waiting for ${what}`));
        }, deadlineMs);
        waiting = (message) => {
          clearTimeout(timer);
          resolve(message);
        };
      });
    },
    close: () => channel.close(),
  };
}
