import { TcpStream } from "@ch08/mio";
import { NOT_READY, type PollState, ready } from "../future.js";
import { reactor, spawn, type Waker } from "../runtime.js";
import type { JobReceiver } from "../spawner.js";
import { Connection } from "./connection.js";
import { type ServerContext, Stat } from "./context.js";
import type { ConnectionInboxes } from "./inbox.js";

/**
 * An executor thread's top-level task in the multi-threaded server: turn the fds the
 * polling thread queued for this executor into connection tasks, then take the oldest
 * half of what waits for another executor (one that is awake to run this task is not
 * the busy one), and come back for more while some is left there. When the server stops, it nudges its connections and is
 * ready once they are all closed, so the thread can end.
 */
export class InboxTask {
  private waker: Waker | undefined;
  private token = 0;
  private stopped = false;
  private readonly fds: number[] = [];

  constructor(
    private readonly index: number,
    private readonly inboxes: ConnectionInboxes,
    private readonly context: ServerContext,
    private readonly graceMs: number,
    private readonly jobs: JobReceiver,
  ) {
    context.allClosed = () => this.waker?.wake();
  }

  /** Adopts waiting connections; once stopping, ready when this executor's are all closed. */
  poll(waker: Waker): PollState<void> {
    const r = reactor();
    if (this.token === 0) {
      this.token = r.nextId();
      r.setWaker(waker, this.token);
      this.waker = waker;
      this.inboxes.setToken(this.index, this.token);
      this.jobs.setToken(this.token);
    } else if (waker !== this.waker) {
      r.setWaker(waker, this.token);
      this.waker = waker;
    }
    const { context, fds } = this;
    if (!this.stopped && Atomics.load(context.stats, Stat.STOPPING) === 1) this.stop();
    if (this.stopped) return context.connections.size === 0 ? ready(undefined) : NOT_READY;
    this.jobs.runQueued();
    fds.length = 0;
    this.inboxes.drainInto(this.index, fds);
    const stolen = this.inboxes.stealInto(this.index, fds);
    if (stolen > 0) {
      Atomics.add(context.stats, Stat.STOLEN, stolen);
      // Poll again after this round's connections: whatever is still waiting there, take half again.
      waker.wake();
    }
    for (const fd of fds) {
      const token = context.freeTokens.pop() ?? r.nextId();
      spawn(new Connection(TcpStream.fromFd(fd, `fd ${fd}`), context, token));
    }
    return NOT_READY;
  }

  private stop(): void {
    this.stopped = true;
    const { context, fds } = this;
    context.stopping = true;
    context.dropDeadline = performance.now() + this.graceMs;
    // Connections accepted for us but never started: nobody will serve them now.
    fds.length = 0;
    this.inboxes.drainInto(this.index, fds);
    for (const fd of fds) {
      TcpStream.fromFd(fd, `fd ${fd}`).close();
      Atomics.add(context.stats, Stat.DROPPED_CONNECTIONS, 1);
      Atomics.sub(context.stats, Stat.OPEN, 1);
    }
    for (const connection of context.connections) connection.nudge();
  }
}
