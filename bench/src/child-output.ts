import type { Readable } from "node:stream";

/** What a child has written so far on its two piped streams, as text. */
export interface ChildOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Gathers a child's stdout and stderr as UTF-8 text; read them once it has closed. */
export function gatherOutput(child: {
  readonly stdout: Readable;
  readonly stderr: Readable;
}): ChildOutput {
  const output = { stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output.stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    output.stderr += chunk;
  });
  return output;
}
