import { writeSync } from "node:fs";

/**
 * Prints one line to stdout synchronously, like Rust's `println!`.
 *
 * Why not `console.log`: in a worker thread, `console.log` is posted to the main
 * thread and printed by its event loop — which never turns while the main thread is
 * parked in `Atomics.wait` or blocked in `epoll_wait`. A direct `write(1, …)` reaches the
 * terminal at once and in program order, from any thread.
 */
export function println(line = ""): void {
  writeAll(`${line}\n`);
}

let sink: ((text: string) => void) | undefined;

/** Sends this thread's `println` output to `capture` instead of stdout (tests); `undefined` restores stdout. */
export function capturePrintln(capture: ((text: string) => void) | undefined): void {
  sink = capture;
}

const retryCell = new Int32Array(new SharedArrayBuffer(4));

function writeAll(text: string): void {
  if (sink !== undefined) {
    sink(text);
    return;
  }
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset, bytes.length - offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // stdout may be a non-blocking pipe that is full: wait a moment and retry.
      if (code === "EAGAIN") {
        Atomics.wait(retryCell, 0, 0, 1);
        continue;
      }
      // Nobody reads stdout any more (`| head`): printing is over, the program is not.
      if (code === "EPIPE") return;
      throw error;
    }
  }
}
