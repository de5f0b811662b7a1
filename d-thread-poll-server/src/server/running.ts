import { AddrParseError, IoError, TcpListener } from "@ch08/mio";
import type { Spawned } from "@ch08/std";
import type { SpawnerHandle } from "../spawner.js";
import type { ServerThreadOptions } from "./options.js";

// What both runtimes' start functions (start.ts's single-threaded, multi.ts's
// multi-threaded) hand back, and how a stop waits for their threads: here, so that
// neither module imports the other.

/** A server whose threads run: where it listens, how to tell it to look at its stop flag, how to wait for its end. */
export type Running =
  | {
      kind: "running";
      port: number;
      /** The handle of a spawner for executor `index`. */
      spawner: (index: number) => SpawnerHandle;
      /** Makes the server's threads look at the stop flag now. */
      wake: () => void;
      /** Resolves once every thread has ended; rejects after `deadlineMs`. */
      exited: (deadlineMs: number) => Promise<void>;
    }
  | {
      kind: "failed";
      code: string | undefined;
      message: string;
      /** What failed: the host as written, the socket (an OS error, `code`), or a server thread at start. */
      source: FailedAt;
    };

/** Where a start failed, so that its error can say what to change (see `startError`). */
export type FailedAt = "address" | "socket" | "thread";

/** A start that failed, as both runtimes report it. */
export type StartFailure = Extract<Running, { kind: "failed" }>;

/** Binds the server's listener, or says why it could not: the host as written, or the socket. */
export function bindListener(options: ServerThreadOptions): TcpListener | StartFailure {
  try {
    return TcpListener.bind(`${options.host}:${options.port}`, { backlog: options.backlog });
  } catch (error) {
    const code = error instanceof IoError ? error.code : undefined;
    const source = error instanceof AddrParseError ? "address" : "socket";
    return { kind: "failed", code, message: (error as Error).message, source };
  }
}

/**
 * Waits for a server thread to exit, or fails after `deadlineMs` and then ends it — through
 * its `Spawned` handle, whose `terminate` first lets a thread that is still loading finish.
 */
export function threadExit(thread: Spawned, deadlineMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      void thread.terminate();
      reject(
        new Error(`the server thread did not stop within ${deadlineMs} ms; it was terminated`),
      );
    }, deadlineMs);
    thread.worker.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
