import { writeSync } from "node:fs";

/** What a write into a full pipe waits on: nothing ever notifies it, it only times out. */
const pause = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));

/**
 * Writes all of `text` to `fd` (1 or 2) at once, from any thread, as Rust's `println!` and
 * `eprintln!` do. Not `console` or `process.stderr`: they write through Node's event loop,
 * which never turns while a thread is blocked in a runtime. A pipe that Node has made
 * non-blocking answers EAGAIN when it is full (a slow reader, `| less`): wait a
 * millisecond and go on, or the message is lost and the program fails with it. A pipe
 * nobody reads any more (EPIPE, after `| head`) ends the writing, not the program.
 */
export function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      if (code === "EPIPE") return;
      throw error;
    }
  }
}
