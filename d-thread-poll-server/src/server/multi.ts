import type { ServerThreadOptions } from "./options.js";
import type { Running } from "./start.js";

/** Starts the multi-threaded server: a polling thread and `threads` executor threads. */
export async function startMultiThreaded(
  _options: ServerThreadOptions,
  _threads: number,
): Promise<Running> {
  return { kind: "failed", code: undefined, message: "not yet" };
}
