import { Waker as MioWaker, TcpListener } from "@ch08/mio";
import { AlreadyRunningError, SharedMap, type Spawned, spawn, ThreadState } from "@ch08/std";
import {
  assertNoLocalReactor,
  processReactorRuns,
  REACTOR,
  type ReactorHandle,
  start,
  storedWaker,
} from "../runtime/reactor.js";
import { createJobQueue } from "../spawner.js";
import { ConnectionInboxes, type ServerHandle } from "./inbox.js";
import type { ServerThreadOptions } from "./options.js";
import { bindListener, type Running, threadExit } from "./running.js";

/** What a multi-threaded server refused for want of the process's one reactor is told to do. */
const ONE_REACTOR =
  "there is one reactor per process, and a multi-threaded server's polling thread is it: " +
  "stop the first (await its stop(), or runtime.shutdown() after runtime.init()), or start " +
  "this one with threads: 1, the single-threaded server, which has a reactor of its own " +
  "and can run as many times as you like";

/**
 * Refuses a multi-threaded server, before it binds anything, where the process's reactor
 * already runs: another multi-threaded server's, or runtime.init()'s. `start` would join
 * that reactor instead of starting one, and its loop has no dispatcher for the new
 * listener: the server would report a port, never accept, and keep it bound after stop.
 */
export function assertReactorFree(): void {
  // A single-threaded runtime open on this thread: `start` refuses that too, but only
  // once the listener is bound.
  assertNoLocalReactor("startServer({ threads > 1 })");
  if (!processReactorRuns()) return; // none runs: this server starts it
  throw new AlreadyRunningError(
    `cannot start a multi-threaded server: this process's reactor already runs; ${ONE_REACTOR}`,
  );
}

/**
 * Starts the multi-threaded server (the seed's multi-threaded model): this thread binds
 * the listener and starts the polling thread — the reactor thread, now also accepting —
 * and `threads` executor threads that share it. Only one per process, as the reactor is.
 */
export async function startMultiThreaded(
  options: ServerThreadOptions,
  threads: number,
): Promise<Running> {
  const listener = bindListener(options);
  if (!(listener instanceof TcpListener)) return listener;
  const port = listener.localAddr().port;
  const inboxes = ConnectionInboxes.create(threads);
  const server: ServerHandle = {
    listenerFd: listener.fd,
    inboxes: inboxes.buffer,
    executors: threads,
    stats: options.stats,
    jobs: options.jobs,
  };
  let handle: ReactorHandle;
  try {
    handle = start(server);
  } catch (error) {
    // The polling thread did not start (it failed to load): the port is ours to let go.
    listener.close();
    throw error;
  }
  if (handle.server !== server) {
    // `start` joined a reactor this thread was handed at its start (a worker spawned by a
    // thread that runs one), which `assertReactorFree` cannot see before the bind.
    REACTOR.stop(); // forgets it here; the thread that started it still runs it
    listener.close();
    throw new AlreadyRunningError(
      `cannot start a multi-threaded server: this thread was started on the process's reactor; ${ONE_REACTOR}`,
    );
  }
  // From here on the polling thread owns the listener: it accepts, and closes it on stop.
  // Through @ch08/std's spawn, not `new Worker`: its start gate keeps a stop, an exit or
  // a failed sibling from ending a thread while koffi loads in it (that aborts the process).
  const executors: Spawned[] = [];
  let failure: string | undefined;
  try {
    for (let index = 0; index < threads; index++) {
      executors.push(
        spawn(new URL("./executor-thread-main.js", import.meta.url), "runServerExecutor", {
          name: `exec-${index}`,
          args: [index, server, options],
          data: { jobModules: options.modules },
        }),
      );
    }
    const up = await Promise.all(executors.map((thread) => started(thread)));
    failure = up.find((outcome) => outcome !== "ready");
  } catch (error) {
    await abandon(executors, handle, listener);
    throw error;
  }
  if (failure !== undefined) {
    await abandon(executors, handle, listener);
    return { kind: "failed", code: undefined, message: failure, source: "thread" };
  }
  const pollWaker = MioWaker.fromHandle(handle.stopWaker);
  const wakers = new SharedMap(handle.wakers);
  const wake = storedWaker(handle);
  return {
    kind: "running",
    port,
    spawner: (index) => ({
      jobs: options.jobs[index] ?? createJobQueue(),
      reactor: handle,
      interruptsPoll: false,
    }),
    wake: () => {
      // The polling thread closes the listener; every inbox task nudges its connections.
      pollWaker.wake();
      for (let index = 0; index < threads; index++) {
        const token = inboxes.token(index);
        if (token !== 0) wakers.get(token, wake);
      }
    },
    exited: async (deadlineMs) => {
      try {
        await Promise.all(executors.map((thread) => threadExit(thread, deadlineMs)));
      } finally {
        REACTOR.stop();
      }
    },
  };
}

/**
 * Undoes a start that failed after the polling thread began: ends the executor threads
 * and the polling thread, then lets the port go, so that a corrected start can bind it.
 */
async function abandon(
  executors: readonly Spawned[],
  handle: ReactorHandle,
  listener: TcpListener,
): Promise<void> {
  await Promise.all(executors.map((thread) => thread.terminate()));
  REACTOR.stop(); // waits (2 s at most) for the polling thread to leave its loop
  // The polling thread accepts on this fd, and a stop request makes it leave without
  // closing it. Close it only once that thread is gone: were it still there, it could
  // accept on whatever reuses the fd's number.
  if (Atomics.load(new Int32Array(handle.state), 0) >= ThreadState.FINISHED) listener.close();
}

/** Resolves "ready" once the executor thread has joined the reactor, or with what went wrong. */
function started(thread: Spawned): Promise<string> {
  return new Promise((resolve) => {
    thread.worker.once("message", (message: unknown) => resolve(String(message)));
    thread.worker.once("error", (error) => resolve(`an executor thread failed: ${error.message}`));
    thread.worker.once("exit", () =>
      resolve(
        thread.status === ThreadState.FAILED
          ? `executor thread ${thread.name} failed at start (its error is on stderr)`
          : "an executor thread ended at start (its error is on stderr)",
      ),
    );
  });
}
