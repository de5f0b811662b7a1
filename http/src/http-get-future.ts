import { Interest, IoError, TcpStream, WOULD_BLOCK } from "@ch08/mio";
import { Kind, record, tracing } from "@ch08/trace";
import {
  askIfDelayServer,
  HttpError,
  isUnreachable,
  ResponseError,
  UnreachableError,
} from "./errors.js";
import { NOT_READY, type PollState, ready } from "./poll-state.js";
import { println } from "./println.js";
import type { Reactor } from "./reactor.js";
import { delayserverAddress, encodeRequest, normalizeAddress, validatePath } from "./request.js";
import { DEFAULT_MAX_RESPONSE_BYTES, type HttpResponse, ResponseParser } from "./response.js";

/** Options for one request. */
export interface HttpGetOptions {
  /** `host:port` of the server (checked); default: the `DELAYSERVER` environment variable, else 127.0.0.1:8080. */
  address?: string;
  /** The largest response accepted (default 1 MiB). */
  maxResponseBytes?: number;
}

/** The README experiment switched on, if any: `late-waker` / `no-first-waker` move or drop the first `setWaker`. */
const EXPERIMENT = process.env.CH08_EXPERIMENT;
/** `late-waker` holds its few-µs window open 50 ms, as if the OS had descheduled the thread there. */
const WINDOW = new Int32Array(new SharedArrayBuffer(4));

/** One buffer to read into, reused by every future on this thread: polls never overlap. */
const scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * The leaf future: `GET {path}` to the delayserver, whose output is the whole response
 * as text (as in the book).
 *
 * Nothing happens until the first poll (a future is lazy). The first poll connects,
 * writes the request and registers the socket with the stage's reactor; every poll then
 * reads until the socket would block (not ready: the reactor will say when there is
 * more) or the response is complete (ready). The socket is closed on every path out;
 * a future given up on is released with `close()` (or `using`).
 */
export class HttpGetFuture<W> implements Disposable {
  /** The request path, e.g. `/600/HelloAsyncAwait`. */
  readonly path: string;
  /** The server address this future talks to, normalised (`host:port`). */
  readonly address: string;
  /** How many times this future has been polled (the benchmarks count them). */
  polls = 0;

  private readonly id: number;
  private readonly request: Buffer;
  private readonly parser: ResponseParser;
  private stream: TcpStream | undefined;
  // Whether the reactor watches the stream: a connect refused at once fails the first
  // write, before registration, and deregistering then would fail and hide the cause.
  private registered = false;
  // Whether the reactor holds a waker for `id`: it does from the first setWaker until
  // deregister (or removeWaker), and that slot must be given back however the future ends.
  private wakerStored = false;
  private closed = false;
  private written = 0;
  private parsed: HttpResponse | undefined;

  constructor(
    path: string,
    private readonly reactor: Reactor<W>,
    options: HttpGetOptions = {},
  ) {
    validatePath(path);
    this.path = path;
    this.address =
      options.address === undefined ? delayserverAddress() : normalizeAddress(options.address);
    this.request = encodeRequest(path, this.address);
    this.parser = new ResponseParser(options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
    this.id = reactor.nextId();
  }

  /** The parsed response (status, headers, body); available once the future is ready. */
  get response(): HttpResponse {
    if (this.parsed === undefined) {
      throw new Error(`GET ${this.path} has not finished yet: poll it until it is ready`);
    }
    return this.parsed;
  }

  /** Drives the request as far as it can go without blocking. */
  poll(waker: W): PollState<string> {
    this.polls++;
    if (this.parsed !== undefined) {
      throw new Error(`GET ${this.path} was polled after it finished`);
    }
    if (this.closed) {
      throw new Error(
        `GET ${this.path} was polled after it was closed (given up on, or failed): make a new future`,
      );
    }
    try {
      if (this.stream === undefined) {
        println("FIRST POLL - START OPERATION");
        this.start(waker);
        // The server has only just been asked: a read now would find nothing (one wasted
        // syscall per request). If the answer is somehow there already, registering it
        // reported that readiness, so the reactor wakes us at once.
        return NOT_READY;
      }
      if (this.written < this.request.length && this.writeRequest(this.stream)) {
        this.reactor.reregister(this.stream, this.id, Interest.READABLE);
      }
      return this.readResponse(waker);
    } catch (error) {
      try {
        this.close();
      } catch {
        // The first failure is the one worth reporting; the socket is closed regardless.
      }
      throw this.explain(error);
    }
  }

  /**
   * Releases everything the future holds: deregisters its token (giving back the
   * reactor's waker slot) and closes its socket. For a future given up on — after a
   * deadline, say; idempotent, and harmless before the first poll, after the end, and
   * after its runtime has shut down. A closed future cannot be polled again.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const stream = this.stream;
    const registered = this.registered;
    const wakerStored = this.wakerStored;
    this.registered = false;
    this.wakerStored = false;
    try {
      if (registered && stream !== undefined) {
        if (tracing) record(Kind.DEREGISTER, this.id);
        this.reactor.deregister(stream, this.id);
      } else if (wakerStored) {
        this.reactor.removeWaker?.(this.id);
      }
    } catch (error) {
      // A runtime that has shut down closed its event queue and forgot its wakers already:
      // there is nothing of this future's left in it to release.
      if (!(error instanceof Error && error.name === "OutsideRuntimeError")) throw error;
    } finally {
      stream?.close();
    }
  }

  /** `close()`, so that `using future = Http.get(path)` releases it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  private start(waker: W): void {
    const stream = TcpStream.connect(this.address);
    this.stream = stream;
    // On loopback the request usually fits at once; if the connection is still being
    // set up, also wait for writability, and drop it once the request is out.
    const done = this.writeRequest(stream);
    // The waker goes in before the socket is registered: from the moment it is, the
    // reactor thread may see its event (an immediate answer, or one already there, which
    // registering reports at once), and an event with no waker is dropped — edge-triggered,
    // it never comes again. Later polls leave the previous waker in place until they
    // store the new one, so there is no such window after this.
    if (EXPERIMENT !== "late-waker" && EXPERIMENT !== "no-first-waker")
      this.reactor.setWaker(waker, this.id);
    this.wakerStored = true;
    if (tracing) record(Kind.REGISTER, this.id);
    this.reactor.register(
      stream,
      this.id,
      done ? Interest.READABLE : Interest.add(Interest.READABLE, Interest.WRITABLE),
    );
    this.registered = true;
    if (EXPERIMENT === "late-waker") {
      Atomics.wait(WINDOW, 0, 0, 50); // register, then store the waker: the book's order
      this.reactor.setWaker(waker, this.id);
    }
  }

  /** Writes what is left of the request; true when all of it is written. */
  private writeRequest(stream: TcpStream): boolean {
    while (this.written < this.request.length) {
      const n = stream.write(this.request, this.written);
      if (n === WOULD_BLOCK) return false;
      this.written += n;
    }
    return true;
  }

  private readResponse(waker: W): PollState<string> {
    const stream = this.stream;
    if (stream === undefined) throw new Error("unreachable: no stream after start");
    if (this.written < this.request.length) {
      this.reactor.setWaker(waker, this.id);
      return NOT_READY;
    }
    for (;;) {
      const n = stream.read(scratch);
      if (n === WOULD_BLOCK) {
        // Always store the most recent waker: the future may have moved since last time.
        this.reactor.setWaker(waker, this.id);
        return NOT_READY;
      }
      // A plain view: Buffer's `subarray` makes a Buffer through Node's own JavaScript,
      // one more function for V8 to compile in a short program (2 % of the CPU of
      // stage c's 2,000-request process, whole processes timed in 31 pairs, twice).
      if (n === 0 || this.parser.push(new Uint8Array(scratch.buffer, scratch.byteOffset, n))) {
        const response = this.parser.finish();
        this.close();
        this.parsed = response;
        return ready(response.text);
      }
    }
  }

  /** Turns a low-level failure into an error that says what to do. */
  private explain(error: unknown): unknown {
    // The parser knows what arrived, not from where: say which request, and to whom.
    if (error instanceof ResponseError) {
      return new ResponseError(
        error.code,
        `GET ${this.path} from ${this.address}: ${error.message}; ${askIfDelayServer(this.address)}`,
        { cause: error },
      );
    }
    if (!(error instanceof IoError)) return error;
    if (this.parser.received === 0 && isUnreachable(error.code)) {
      return new UnreachableError(this.address, error.code, error);
    }
    return new HttpError(
      "IO",
      `GET ${this.path} from ${this.address} failed: ${error.message}; ${askIfDelayServer(this.address)}`,
      { cause: error },
    );
  }
}
