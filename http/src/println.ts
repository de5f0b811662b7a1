import { writeAll as writeStdout } from "@ch08/std";

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

function writeAll(text: string): void {
  if (sink !== undefined) sink(text);
  else writeStdout(1, text);
}
