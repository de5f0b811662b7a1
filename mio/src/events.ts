import type { Token } from "./token.js";

// Backend-neutral readiness bits: each selector translates its own flags into these, so
// Events never needs to know whether epoll or poll(2) filled it.
/** @internal readiness bit: readable. */
export const READY_READABLE = 1;
/** @internal readiness bit: writable. */
export const READY_WRITABLE = 2;
/** @internal readiness bit: the read half is closed (peer sent FIN, or HUP). */
export const READY_READ_CLOSED = 4;
/** @internal readiness bit: the write half is closed. */
export const READY_WRITE_CLOSED = 8;
/** @internal readiness bit: an error is pending (see TcpStream.takeError). */
export const READY_ERROR = 16;

/** One readiness event, as mio's `event::Event`. */
export interface Event {
  /** The token the source was registered with. */
  token(): Token;
  /** The source can be read (or reading would report end of stream / an error). */
  isReadable(): boolean;
  /** The source can be written (a connect has completed, one way or the other). */
  isWritable(): boolean;
  /** The peer closed its write half: reads will reach end of stream. */
  isReadClosed(): boolean;
  /** The write half is closed: writes will fail. */
  isWriteClosed(): boolean;
  /** An error is pending on the source. */
  isError(): boolean;
}

/** The one cursor an Events iterator yields, moved from event to event. */
class EventCursor implements Event {
  index = 0;
  constructor(private readonly events: Events) {}
  token(): Token {
    return this.events.token(this.index);
  }
  isReadable(): boolean {
    return this.events.isReadable(this.index);
  }
  isWritable(): boolean {
    return this.events.isWritable(this.index);
  }
  isReadClosed(): boolean {
    return this.events.isReadClosed(this.index);
  }
  isWriteClosed(): boolean {
    return this.events.isWriteClosed(this.index);
  }
  isError(): boolean {
    return this.events.isError(this.index);
  }
}

/**
 * A reusable buffer of events, as mio's `Events::with_capacity`: allocate it once, pass it
 * to every `Poll.poll`. Reading it by index (`events.token(i)`) allocates nothing;
 * `for (const e of events)` is convenient but yields ONE reused cursor object, so copy
 * what you need out of it before the next step of the loop.
 */
export class Events {
  /** How many events one poll can return at most. */
  readonly capacity: number;
  /** @internal filled by the selector: the token of each event. */
  readonly _tokens: Uint32Array;
  /** @internal filled by the selector: READY_* bits of each event. */
  readonly _ready: Uint8Array;
  /** @internal set by the selector: how many entries are valid. */
  _length = 0;
  private readonly cursor: EventCursor;

  /** An empty buffer for up to `capacity` events per poll (default 1024). */
  constructor(capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Events capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this._tokens = new Uint32Array(capacity);
    this._ready = new Uint8Array(capacity);
    this.cursor = new EventCursor(this);
  }

  /** How many events the last poll returned. */
  get length(): number {
    return this._length;
  }

  /** The token of event `i`. */
  token(i: number): Token {
    return (this._tokens[this.check(i)] ?? 0) as Token;
  }
  /** Whether event `i` is readable. */
  isReadable(i: number): boolean {
    return this.bit(i, READY_READABLE);
  }
  /** Whether event `i` is writable. */
  isWritable(i: number): boolean {
    return this.bit(i, READY_WRITABLE);
  }
  /** Whether event `i` reports the read half closed. */
  isReadClosed(i: number): boolean {
    return this.bit(i, READY_READ_CLOSED);
  }
  /** Whether event `i` reports the write half closed. */
  isWriteClosed(i: number): boolean {
    return this.bit(i, READY_WRITE_CLOSED);
  }
  /** Whether event `i` reports an error. */
  isError(i: number): boolean {
    return this.bit(i, READY_ERROR);
  }

  /** Forgets all events (Poll.poll does this itself before filling). */
  clear(): void {
    this._length = 0;
  }

  /** Iterates the events through ONE reused cursor object (see the class comment). */
  *[Symbol.iterator](): Iterator<Event> {
    const cursor = this.cursor;
    for (let i = 0; i < this._length; i++) {
      cursor.index = i;
      yield cursor;
    }
  }

  private bit(i: number, mask: number): boolean {
    return ((this._ready[this.check(i)] ?? 0) & mask) !== 0;
  }

  private check(i: number): number {
    if (i >= 0 && i < this._length) return i;
    throw new RangeError(`event index ${i} out of range (length ${this._length})`);
  }
}
