import { openFileLimit } from "@ch08/delayserver/protocol";
import { writeAll } from "@ch08/std";

/** How long to wait before accepting again after the OS refused (EMFILE: out of fds). */
const ACCEPT_RETRY_MS = 100;

/** Out of descriptors, every retry fails alike: say so at most this often. */
const REPORT_EVERY_MS = 10_000;

/**
 * What an acceptor does when `accept()` fails: say on stderr why and what to do (at once,
 * then at most every 10 s, with how many more failures came meanwhile), and try again in
 * `ACCEPT_RETRY_MS`. The connections it could not take wait in the kernel's accept queue,
 * and an edge-triggered listener reports no new event for them: only a retry finds them.
 */
export class AcceptTrouble {
  /** Read now: out of descriptors, the server could not open /proc/self/limits to say it. */
  readonly #limit = openFileLimit();
  #lastReport = Number.NEGATIVE_INFINITY;
  #unreported = 0;
  /** When the pending retry is due: one at a time, however many listener events come. */
  #retryAt = Number.NEGATIVE_INFINITY;

  /**
   * Reports `error` (from `accept`), `open` client connections being held meanwhile;
   * returns when to accept again, or undefined when a retry is already pending.
   */
  refused(error: unknown, open: number): number | undefined {
    const now = performance.now();
    if (now - this.#lastReport >= REPORT_EVERY_MS) {
      const since = this.#unreported;
      this.#lastReport = now;
      this.#unreported = 0;
      writeAll(2, `${acceptTroubleText(error, { open, since, limit: this.#limit })}\n`);
    } else this.#unreported += 1;
    if (this.#retryAt > now) return undefined;
    this.#retryAt = now + ACCEPT_RETRY_MS;
    return this.#retryAt;
  }
}

/**
 * What went wrong, what the server does about it, and what to do: one line. `open`: client
 * connections held; `since`: failures not reported; `limit`: `ulimit -n`, if known.
 */
export function acceptTroubleText(
  error: unknown,
  { open, since, limit }: { open: number; since: number; limit: number | undefined },
): string {
  const again = since > 0 ? ` (again; ${since} more times since the last report)` : "";
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === "EMFILE") {
    const allowed = limit === undefined ? "" : ` (\`ulimit -n\` is ${limit})`;
    return (
      `serve: cannot accept new connections${again}: this process is out of file ` +
      `descriptors${allowed}, ${open} of them held by client connections. New connections ` +
      "wait in the kernel's queue and are answered once some close. Raise the limit before " +
      "starting the server, e.g. `ulimit -n 65536`."
    );
  }
  if (code === "ENFILE") {
    return (
      `serve: cannot accept new connections${again}: the system's file table is full. New ` +
      "connections wait in the kernel's queue meanwhile. Close other programs, or raise " +
      "fs.file-max (sysctl)."
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return `serve: accept failed${again} (${message}); trying again every ${ACCEPT_RETRY_MS} ms`;
}
