import { Interest, type TcpListener, WOULD_BLOCK } from "@ch08/mio";
import { Kind, record, tracing } from "@ch08/trace";
import { NOT_READY, type PollState, ready } from "../future.js";
import { reactor, spawn, type Waker } from "../runtime.js";
import type { JobReceiver } from "../spawner.js";
import { AcceptTrouble } from "./accept-trouble.js";
import { Connection } from "./connection.js";
import { type ServerContext, Stat } from "./context.js";

/**
 * The single-threaded server's accept loop, as a task: accept until the listener would
 * block, spawn a `Connection` task for each. When the server is asked to stop, it closes
 * the listener, nudges every connection (idle ones close, busy ones finish), and is
 * ready once the last one has closed — answered, or dropped at the deadline.
 */
export class Acceptor {
  private waker: Waker | undefined;
  private registered = false;
  private stopped = false;
  private readonly trouble = new AcceptTrouble();

  constructor(
    private readonly listener: TcpListener,
    private readonly context: ServerContext,
    private readonly token: number,
    /** How long in-flight answers may take once a stop is asked for. */
    private readonly graceMs: number,
    /** Jobs other threads spawn here (see `Spawner`). */
    private readonly jobs: JobReceiver,
  ) {
    context.allClosed = () => this.waker?.wake();
    jobs.setToken(token);
  }

  /** Wakes the accept task (another thread asked the server to stop). */
  nudge(): void {
    this.waker?.wake();
  }

  /** Accepts what is waiting; once stopping, ready when every connection is closed. */
  poll(waker: Waker): PollState<void> {
    const r = reactor();
    if (waker !== this.waker) {
      r.setWaker(waker, this.token);
      this.waker = waker;
    }
    const { context, listener } = this;
    if (!this.stopped && Atomics.load(context.stats, Stat.STOPPING) === 1) this.stop();
    if (this.stopped) {
      return context.connections.size === 0 ? ready(undefined) : NOT_READY;
    }
    this.jobs.runQueued();
    if (!this.registered) {
      if (tracing) record(Kind.REGISTER, this.token);
      r.register(listener, this.token, Interest.READABLE);
      this.registered = true;
    }
    for (;;) {
      let accepted: ReturnType<TcpListener["accept"]>;
      try {
        accepted = listener.accept();
      } catch (error) {
        const retryAt = this.trouble.refused(error, Atomics.load(context.stats, Stat.OPEN));
        if (retryAt !== undefined) r.addTimer(retryAt, this.token);
        return NOT_READY;
      }
      if (accepted === WOULD_BLOCK) return NOT_READY;
      Atomics.add(context.stats, Stat.ACCEPTED, 1);
      Atomics.add(context.stats, Stat.OPEN, 1);
      const token = context.freeTokens.pop() ?? r.nextId();
      spawn(new Connection(accepted.stream, context, token));
    }
  }

  private stop(): void {
    this.stopped = true;
    const { context } = this;
    context.stopping = true;
    context.dropDeadline = performance.now() + this.graceMs;
    this.listener.close();
    for (const connection of context.connections) connection.nudge();
  }
}
