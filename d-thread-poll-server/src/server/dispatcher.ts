import { Interest, type Registry, TcpListener, WOULD_BLOCK } from "@ch08/mio";
import { eventLoop, LISTENER_TOKEN, type ReactorHandle } from "../runtime/reactor.js";
import { AcceptTrouble } from "./accept-trouble.js";
import { Stat } from "./context.js";
import { ConnectionInboxes, type ServerHandle } from "./inbox.js";

/** The multi-threaded server's polling thread: the reactor's loop, accepting through a Dispatcher. */
export function pollingThread(handle: ReactorHandle): void {
  eventLoop(
    handle,
    (server, registry, fire, acceptAgainAt) =>
      new Dispatcher(server, registry, fire, acceptAgainAt),
  );
}

/**
 * The polling thread's part of the multi-threaded server: accept every waiting
 * connection and hand its fd to the executor with the fewest waiting (round robin among
 * equals), waking that executor's inbox task — and the next executor's too, so that if
 * the first is busy (its thread stuck in a long poll), the other takes the connection.
 */
export class Dispatcher {
  private readonly listener: TcpListener;
  private readonly inboxes: ConnectionInboxes;
  private readonly stats: Int32Array;
  private next = 0;
  private closed = false;
  private readonly trouble = new AcceptTrouble();

  constructor(
    server: ServerHandle,
    registry: Registry,
    /** Wakes the waker stored for a token (the reactor's own wake path). */
    private readonly fire: (token: number) => void,
    /** Has the polling thread call `acceptAll` again at this time (its timer heap). */
    private readonly acceptAgainAt: (deadline: number) => void,
  ) {
    this.listener = TcpListener.fromFd(server.listenerFd);
    this.inboxes = new ConnectionInboxes(server.inboxes, server.executors);
    this.stats = new Int32Array(server.stats);
    registry.register(this.listener, LISTENER_TOKEN, Interest.READABLE);
  }

  /** Accepts until the listener would block. */
  acceptAll(): void {
    if (this.closed) return;
    const { inboxes, stats } = this;
    for (;;) {
      let accepted: ReturnType<TcpListener["accept"]>;
      try {
        accepted = this.listener.accept();
      } catch (error) {
        // EMFILE and the like: the connection stays queued in the kernel, and the listener
        // (edge-triggered) reports no new event for it: try again after a while.
        const retryAt = this.trouble.refused(error, Atomics.load(stats, Stat.OPEN));
        if (retryAt !== undefined) this.acceptAgainAt(retryAt);
        return;
      }
      if (accepted === WOULD_BLOCK) return;
      const fd = accepted.stream.fd;
      Atomics.add(stats, Stat.ACCEPTED, 1);
      Atomics.add(stats, Stat.OPEN, 1);
      const index = this.pick();
      const before = inboxes.push(index, fd);
      if (before < 0) {
        accepted.stream.close();
        Atomics.add(stats, Stat.DROPPED_CONNECTIONS, 1);
        Atomics.sub(stats, Stat.OPEN, 1);
        continue;
      }
      this.wakeInbox(index);
      this.wakeInbox((index + 1) % inboxes.count);
    }
  }

  /** The executor with the fewest connections waiting, starting the search where the last one ended. */
  private pick(): number {
    const { inboxes } = this;
    let best = this.next;
    let fewest = inboxes.waiting(best);
    for (let step = 1; step < inboxes.count && fewest > 0; step++) {
      const index = (this.next + step) % inboxes.count;
      const waiting = inboxes.waiting(index);
      if (waiting < fewest) {
        fewest = waiting;
        best = index;
      }
    }
    this.next = (best + 1) % inboxes.count;
    return best;
  }

  /** Closes the listener once the server is asked to stop (called when the polling thread is woken). */
  checkStop(): void {
    if (this.closed || Atomics.load(this.stats, Stat.STOPPING) !== 1) return;
    this.closed = true;
    this.listener.close();
  }

  private wakeInbox(index: number): void {
    const token = this.inboxes.token(index);
    if (token !== 0) this.fire(token);
  }
}
