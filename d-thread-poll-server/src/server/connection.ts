// Imported, not read as the global, which Node defines as a getter (see response.ts).
import { performance } from "node:perf_hooks";
import { printable, route } from "@ch08/delayserver/protocol";
import { Interest, IoError, Shutdown, type TcpStream, WOULD_BLOCK } from "@ch08/mio";
import { writeAll } from "@ch08/std";
import { Kind, record, tracing } from "@ch08/trace";
import { NOT_READY, type PollState, ready } from "../future.js";
import { reactor, type Waker } from "../runtime.js";
import { type ServerContext, Stat } from "./context.js";
import { INCOMPLETE, parseRequest, type RequestHead } from "./request.js";
import {
  badRequestAnswer,
  CONTINUE_ANSWER,
  connectAnswerBytes,
  expectationFailedAnswer,
  noHostAnswer,
  okAnswer,
  rejectAnswer,
  stoppingAnswer,
} from "./response.js";

/** How long an idle keep-alive connection stays open (node:http's keepAliveTimeout). */
export const KEEP_ALIVE_MS = 5000;

/** Pipelined requests read ahead of their answers before reading stops for a while. */
const MAX_QUEUED = 256;

/**
 * Bytes a client may send after the request that ends its connection (it asked to
 * close, or was refused) while it waits for its answers. Nothing will answer them; a
 * client that sends more was found to keep the server reading and throwing away
 * gigabytes, so past this the connection is closed, and what it was owed is dropped
 * (its held requests logged as cancelled).
 */
const MAX_DISCARDED = 1 << 20;

/**
 * How long a refused client (400, 408, 431, 405, 414, 503: answers after which the server
 * closes) is given to stop sending once its answer is out. Closing a socket with unread
 * input makes the kernel reset the connection, and the reset can destroy the answer in
 * the client's buffers before the client reads it: a client that sent a bad request and
 * more bytes after it got no 400 at all, only EPIPE or ECONNRESET. So the server shuts its
 * write half (the answer, then FIN), drops what still comes, and closes when the client
 * does, after `MAX_DISCARDED` bytes, or after this long, whichever is first (a lingering
 * close, as nginx's `lingering_close`).
 */
const LINGER_MS = 2000;

/** What the connection does once an answer is written: go on, close, or linger and close. */
type After = "keep" | "close" | "linger";

const READ_WRITE = Interest.add(Interest.READABLE, Interest.WRITABLE);

/** Whether `buffer[0, end)` is only line breaks (the empty lines a request may start with). */
function isBlank(buffer: Buffer, end: number): boolean {
  for (let at = 0; at < end; at++) {
    const byte = buffer[at];
    if (byte !== 0x0d && byte !== 0x0a) return false;
  }
  return true;
}

/** One buffer to read into, shared by every connection on this thread: polls never overlap. */
const scratch = Buffer.allocUnsafe(64 * 1024);

/** An answer waiting for its turn (answers leave in request order) and its time. */
interface Answer {
  /** Not to be written before this `performance.now()` time (receipt + delay). */
  readonly due: number;
  readonly bytes: Buffer;
  /** What follows once it is written: the next answer, a close, or a lingering close. */
  readonly after: After;
  /** A held request's `#n - Xms: message` line, to name it if it is cancelled. */
  readonly line?: string;
  /** When its request was read. */
  readonly receivedAt: number;
}

/**
 * One client connection as one task: read requests, answer each when its delay has
 * passed, in order, keep the connection for the next request. A hand-written state
 * machine rather than a coroutine: it is the hot path of the server.
 *
 * One token does for everything: the socket is registered READABLE | WRITABLE
 * (edge-triggered) under it, and the answer's deadline is handed to the reactor's timer
 * heap under it too — whichever fires, the same task is woken, and `poll` finds out what
 * to do by looking at its state and the clock, never at why it was woken.
 */
export class Connection {
  /** Bytes of an unfinished request, kept between polls. */
  private partial: Buffer | undefined;
  /** When the first byte of the unfinished request head in `partial` came (NaN: none pending). */
  private headSince = Number.NaN;
  /** Body bytes still to skip before the next request starts. */
  private skip = 0;
  /** When the request whose body is being skipped began (NaN: no body pending). */
  private bodySince = Number.NaN;
  private readonly answers: Answer[] = [];
  private writing: Buffer | undefined;
  private written = 0;
  /**
   * Reading stopped at `MAX_QUEUED` answers with bytes perhaps left in the socket. They
   * raise no new edge (epoll is edge-triggered), so once answers have gone out the
   * connection reads again by itself rather than wait for the next event, which for a
   * client that sent everything at once would be the 5 s keep-alive check.
   */
  private capped = false;
  /** False once the peer finished sending, or we decided to stop reading (a close is coming). */
  private reading = true;
  /** True once the peer sent FIN. */
  private peerClosed = false;
  private registered = false;
  private waker: Waker | undefined;
  /** The earliest deadline handed to the reactor (an answer's, or a request's time limit) that has not passed: a wake is due by then anyway. */
  private armedUntil = Number.NEGATIVE_INFINITY;
  /** When the pending keep-alive check fires: at most one is in the heap per connection. */
  private idleCheckAt = Number.NEGATIVE_INFINITY;
  private idleSince = performance.now();
  private done = false;
  /** Bytes read and dropped after the request that ends the connection (see `noticeClose`). */
  private discarded = 0;
  /** When a lingering close gives up waiting for the client (NaN: not lingering; see `LINGER_MS`). */
  private lingerUntil = Number.NaN;
  /** Its token met a live one in the waker table (see `poll`'s catch): not to be reused. */
  private tokenClashed = false;
  /**
   * With epoll (edge-triggered in the kernel), whatever arrives after a read raises a new
   * edge, so the read that would only say "would block" can be skipped: after a read that
   * returned less than it asked for (it emptied the socket: one syscall per request saved,
   * as tokio does), and when reading stops at a request that ends the connection. The
   * poll(2) backend re-arms a socket only when a read says WOULD_BLOCK, so there both reads
   * are made: skipped, the client's FIN would never be reported.
   */
  private readonly shortReadDrains = !reactor().needsDraining;

  constructor(
    private readonly stream: TcpStream,
    private readonly context: ServerContext,
    private readonly token: number,
  ) {
    context.connections.add(this);
  }

  /** Reads what came, writes what is due; ready once the connection is closed. */
  poll(waker: Waker): PollState<void> {
    if (this.done) return ready(undefined);
    const r = reactor();
    const { context } = this;
    try {
      if (waker !== this.waker) {
        // The waker is stored before the socket is registered, so the first event finds it.
        // Inside the try: should it fail (a token whose waker slot a live one holds), the
        // connection is closed, not left open with nobody to answer it.
        r.setWaker(waker, this.token);
        this.waker = waker;
      }
      if (!this.registered) {
        if (tracing) record(Kind.REGISTER, this.token);
        r.register(this.stream, this.token, READ_WRITE);
        this.registered = true;
      }
      let now = performance.now();
      if (!Number.isNaN(this.lingerUntil)) return this.linger(now);
      const wasReading = this.reading;
      if (this.reading) {
        if (this.answers.length < MAX_QUEUED) this.readRequests(now);
        else this.capped = true; // the event that woke us may have been bytes left unread
      }
      // Reading has stopped (the last request ends the connection), but the client is still
      // heard leaving: its FIN cancels what is held. Reading stopped just now: with epoll,
      // look only if an event said the peer shut its side (a FIN that came with the request
      // raises no edge of its own). On later wakes, and with poll(2), always look.
      if (
        !this.reading &&
        !this.peerClosed &&
        this.answers.length > 0 &&
        (!wasReading || !this.shortReadDrains || reactor().peerMayHaveClosed(this.token)) &&
        this.noticeClose()
      ) {
        // Held answers are logged as cancelled, as when a client leaves; one already due but
        // not yet written goes with the connection too: this client is not reading them.
        this.cancelHeld(
          now,
          `the client sent more than ${MAX_DISCARDED >> 20} MiB after its last request`,
        );
        this.answers.length = 0;
        return this.finish();
      }
      // A FIN while requests are held: the client has gone, not merely half-closed (as the
      // delayserver takes it). Cancel them now rather than hold the descriptor in CLOSE_WAIT
      // for the rest of their delay; answers already due still go out, then it closes below.
      if (this.peerClosed) this.cancelHeld(now);
      if (this.reading && this.partial !== undefined) this.checkHeadTimeout(now);
      if (this.reading && this.skip > 0) this.checkBodyTimeout(now);
      const after = this.flush(now);
      if (after === "linger" && !this.peerClosed) return this.startLinger(now);
      if (after !== "keep") return this.finish();
      if (this.capped && this.reading && this.answers.length < MAX_QUEUED) return this.poll(waker);
      if (this.writing === undefined && this.answers.length === 0) {
        if (!this.reading || context.stopping) return this.finish();
        if (now - this.idleSince >= KEEP_ALIVE_MS) return this.finish();
        // One idle check per keep-alive period, not one per request: when it fires early
        // (the connection was busy since), it is moved to the new end of the period.
        if (this.idleCheckAt <= now) {
          this.idleCheckAt = this.idleSince + KEEP_ALIVE_MS;
          reactor().addTimer(this.idleCheckAt, this.token);
        }
        return NOT_READY;
      }
      if (context.stopping && now >= context.dropDeadline) return this.drop();
      const next = this.answers[0];
      if (this.writing === undefined && next !== undefined) {
        // Reading may have taken a while: check the clock once more before sleeping.
        now = performance.now();
        if (next.due <= now) return this.poll(waker);
        this.arm(context.stopping ? Math.min(next.due, context.dropDeadline) : next.due);
      }
      return NOT_READY;
    } catch (error) {
      // The peer reset or vanished (ECONNRESET, EPIPE): nothing to answer any more.
      // Anything else is a fault of this server's, not the client's: the connection
      // closes all the same, but it is said on stderr rather than passing for a reset.
      if (!(error instanceof IoError)) {
        const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
        writeAll(2, `serve: closed a connection after an internal error: ${detail}\n`);
        // A token that met another in the waker table would meet it again: not reused.
        if (error instanceof Error && error.name === "MapFullError") this.tokenClashed = true;
      }
      this.cancelHeld(performance.now());
      return this.finish();
    }
  }

  /** Whether any answer is still owed (a stopping server waits for these). */
  get inFlight(): number {
    return this.answers.length;
  }

  /** Wakes the task (the server is stopping: idle connections close, busy ones finish). */
  nudge(): void {
    this.waker?.wake();
  }

  /** Gives the reactor `deadline` for this token, unless an earlier-or-equal one is pending. */
  private arm(deadline: number): void {
    // The earlier timer's wake polls again, and that poll arms what is still needed then.
    if (this.armedUntil <= deadline && this.armedUntil > performance.now()) return;
    this.armedUntil = deadline;
    reactor().addTimer(deadline, this.token);
  }

  /** Reads until the socket would block, queueing an answer for every whole request. */
  private readRequests(now: number): void {
    const { stream } = this;
    this.capped = false;
    for (;;) {
      let end = 0;
      const partial = this.partial;
      if (partial !== undefined) {
        partial.copy(scratch, 0);
        end = partial.length;
        this.partial = undefined;
      }
      const n = stream.read(scratch, end, scratch.length - end);
      if (n === WOULD_BLOCK) {
        if (end > 0) this.partial = Buffer.from(scratch.subarray(0, end));
        return;
      }
      if (n === 0) {
        // The peer sent FIN: answer what is due, cancel what is held (see poll), then close.
        // A request head it began and never finished gets 400, as node:http answers it.
        this.reading = false;
        this.peerClosed = true;
        if (!isBlank(scratch, end)) this.queue(now, badRequestAnswer(400), "close");
        return;
      }
      const asked = scratch.length - end;
      end += n;
      this.idleSince = now;
      const queued = this.answers.length;
      const start = this.parseRequests(end, now);
      if (!this.reading) return;
      if (start < end) {
        // A head begins now if none was pending, or the pending one was completed just now.
        if (Number.isNaN(this.headSince) || this.answers.length > queued) this.headSince = now;
        this.partial = Buffer.from(scratch.subarray(start, end));
      } else this.headSince = Number.NaN;
      if (this.answers.length >= MAX_QUEUED) {
        this.capped = true;
        return;
      }
      // A short read emptied the socket: a byte that comes later raises a new edge, but a FIN
      // that came with the bytes just read raises none. So read once more when an event said
      // the peer shut its side (the connection closes now, not at the keep-alive check), and
      // while an answer is held (a client that has gone is seen now, not when its delay ends).
      if (
        n < asked &&
        this.shortReadDrains &&
        !this.holds(now) &&
        !reactor().peerMayHaveClosed(this.token)
      ) {
        return;
      }
    }
  }

  /** Whether an answer is held for later (not due by `now`). */
  private holds(now: number): boolean {
    for (const answer of this.answers) if (answer.due > now) return true;
    return false;
  }

  /**
   * Reads no more requests (the last one asked to close, or was refused), but still hears
   * the client leave, while its answer is held or while the connection lingers: a FIN
   * sets `peerClosed`, and bytes sent after that request are dropped unread, as nothing
   * will answer them. True once more than `MAX_DISCARDED` of them came: the connection is
   * to be closed.
   */
  private noticeClose(): boolean {
    for (;;) {
      const n = this.stream.read(scratch, 0, scratch.length);
      if (n === WOULD_BLOCK) return false;
      if (n === 0) {
        this.peerClosed = true;
        return false;
      }
      this.discarded += n;
      if (this.discarded > MAX_DISCARDED) return true;
    }
  }

  /** Parses every whole request in `scratch[0, end)`; returns where the unparsed rest starts. */
  private parseRequests(end: number, now: number): number {
    let start = 0;
    while (start < end) {
      if (this.skip > 0) {
        const skipped = Math.min(this.skip, end - start);
        this.skip -= skipped;
        start += skipped;
        if (this.skip === 0) this.bodySince = Number.NaN;
        continue;
      }
      const head = parseRequest(scratch, start, end);
      if (head === INCOMPLETE) return start;
      if ("error" in head) {
        this.queue(now, badRequestAnswer(head.error), "linger");
        return end;
      }
      start = head.end;
      this.skip = head.bodyLength;
      // The request began with its head's first byte (an earlier read's, if it was split).
      if (this.skip > 0) this.bodySince = Number.isNaN(this.headSince) ? now : this.headSince;
      this.answer(head, now);
      if (!this.reading) return end;
    }
    return start;
  }

  /**
   * A slowloris client trickles its head a byte at a time, each byte just in time to keep
   * the connection from idling out: it gets 408 and the connection closes once the head
   * has taken `headersTimeoutMs` (node:http does the same). Only its own socket is held
   * meanwhile: each connection is a task of its own, so the others are served as usual.
   */
  private checkHeadTimeout(now: number): void {
    if (!this.timedOut(this.headSince + this.context.headersTimeoutMs, now)) return;
    this.partial = undefined;
    this.headSince = Number.NaN;
  }

  /**
   * A body trickled a byte at a time, each byte in time to keep the connection from
   * idling out, would hold it for ever: once the request has taken `requestTimeoutMs`
   * from its first byte, it gets 408 and the connection closes (node:http's
   * `requestTimeout`). Its answer, if already queued, still goes out first.
   */
  private checkBodyTimeout(now: number): void {
    if (!this.timedOut(this.bodySince + this.context.requestTimeoutMs, now)) return;
    this.skip = 0;
    this.bodySince = Number.NaN;
  }

  /**
   * A request's time limit, `late`: once passed, queues its 408 (the connection closes
   * after it) and says so; before, makes sure a wake is due by then (`arm`: every poll
   * checks again, so one pending wake at or before `late` is enough).
   */
  private timedOut(late: number, now: number): boolean {
    if (now < late) {
      this.arm(late);
      return false;
    }
    this.queue(now, badRequestAnswer(408), "linger");
    return true;
  }

  /** Routes one request exactly as the delayserver does, and queues its answer. */
  private answer(request: RequestHead, now: number): void {
    const { context } = this;
    const { method, target, keepAlive, expect } = request;
    const head = method === "HEAD";
    // What node:http and the delayserver do before its handler sees the request, in
    // node:http's order (a stopping server included: its 503 comes from the handler).
    if (method === "CONNECT") {
      this.queue(now, connectAnswerBytes(target, context.maxDelayMs, context.usage), "linger");
      return;
    }
    if (request.hostMissing) {
      this.queue(now, noHostAnswer(head), "linger");
      return;
    }
    if (expect === "unmet") {
      this.queue(now, expectationFailedAnswer(head, keepAlive), keepAlive ? "keep" : "close");
      return;
    }
    if (expect === "continue") this.queue(now, CONTINUE_ANSWER, "keep");
    if (context.stopping) {
      this.queue(now, stoppingAnswer(head), "linger");
      return;
    }
    const r = route(method, target, context.maxDelayMs);
    if (r.kind === "reject") {
      const { bytes, close } = rejectAnswer(r, head, keepAlive, context.usage);
      this.queue(now, bytes, close ? "linger" : "keep");
      return;
    }
    // The line is built only by a server that logs (`--quiet` does not): this is the hot path.
    let line: string | undefined;
    if (context.log === undefined) {
      Atomics.add(context.stats, Stat.REQUESTS, 1);
    } else {
      // Numbered and printed as one step: another executor thread could otherwise print
      // #n+1 between this one taking #n and printing it.
      context.logLock.lock();
      try {
        const n = Atomics.add(context.stats, Stat.REQUESTS, 1) + 1;
        line = `#${n} - ${r.delayMs}ms: ${printable(r.message)}`;
        context.log(line);
      } finally {
        context.logLock.unlock();
      }
    }
    this.queue(
      now + r.delayMs,
      okAnswer(r.message, head, keepAlive),
      keepAlive ? "keep" : "close",
      line,
      now,
    );
  }

  private queue(due: number, bytes: Buffer, after: After, line?: string, receivedAt = due): void {
    this.answers.push({ due, bytes, after, line, receivedAt });
    if (after !== "keep") this.reading = false;
  }

  /**
   * The client left (or, `why`, is to be closed): drops every answer still held (not due
   * by `now`, nor being written), logging each held request as the delayserver does.
   */
  private cancelHeld(now: number, why = "the client closed the connection"): void {
    const { answers } = this;
    // An answer being written is the first, and due: it and those due by now stay.
    let keep = this.writing === undefined ? 0 : 1;
    while (keep < answers.length && (answers[keep]?.due ?? now) <= now) keep++;
    for (const { line, receivedAt } of answers.splice(keep)) {
      if (line === undefined) continue;
      const after = Math.round(now - receivedAt);
      this.context.log?.(`${line} (cancelled after ${after}ms: ${why})`);
    }
  }

  /**
   * Writes the due answers, in order, until one is not due or the socket would block;
   * "close" or "linger" once an answer that ends the connection is out.
   */
  private flush(now: number): After {
    const { stream, answers } = this;
    for (;;) {
      let bytes = this.writing;
      if (bytes === undefined) {
        const next = answers[0];
        if (next === undefined || next.due > now) return "keep";
        bytes = next.bytes;
        this.writing = bytes;
        this.written = 0;
      }
      const n = stream.write(bytes, this.written);
      if (n === WOULD_BLOCK) return "keep";
      this.written += n;
      if (this.written < bytes.length) continue;
      this.writing = undefined;
      const sent = answers.shift();
      this.idleSince = now;
      if (sent !== undefined && sent.after !== "keep") return sent.after;
    }
  }

  /** The refusal is out: FIN after it, then wait (bounded) for the client to stop sending. */
  private startLinger(now: number): PollState<void> {
    this.stream.shutdown(Shutdown.WRITE);
    this.lingerUntil = now + LINGER_MS;
    return this.linger(now);
  }

  /**
   * Drops what the refused client still sends, and closes once it closes too, once it
   * has sent more than `MAX_DISCARDED` bytes, once `LINGER_MS` have passed, or at a stop.
   */
  private linger(now: number): PollState<void> {
    if (this.noticeClose() || this.peerClosed) return this.finish();
    if (now >= this.lingerUntil || this.context.stopping) return this.finish();
    this.arm(this.lingerUntil);
    return NOT_READY;
  }

  /** The server stops and its deadline passed: count what is still owed, then close. */
  private drop(): PollState<void> {
    Atomics.add(this.context.stats, Stat.DROPPED, this.answers.length);
    this.answers.length = 0;
    return this.finish();
  }

  /** Closes the socket and gives its token back; ready, so a poll can return it. */
  private finish(): PollState<void> {
    if (this.done) return ready(undefined);
    this.done = true;
    const { context } = this;
    // Closing the fd removes it from epoll: only the waker needs forgetting.
    reactor().removeWaker(this.token);
    this.stream.close();
    context.connections.delete(this);
    if (!this.tokenClashed) context.freeTokens.push(this.token);
    Atomics.sub(context.stats, Stat.OPEN, 1);
    if (context.stopping && context.connections.size === 0) context.allClosed?.();
    return ready(undefined);
  }
}
