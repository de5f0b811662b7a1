import { readdirSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import {
  type Accepted,
  type BackendName,
  Events,
  Interest,
  IoError,
  Poll,
  Shutdown,
  type SocketAddress,
  TcpListener,
  TcpStream,
  Token,
  WOULD_BLOCK,
} from "../src/index.js";
import { BACKENDS } from "./helpers/client.js";

const LISTENER = Token(0);

/** Open fds of this process, as the kernel counts them. */
function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** Accepts until WOULD_BLOCK, as an edge-triggered listener must. */
function acceptAll(listener: TcpListener, into: Accepted[]): void {
  for (;;) {
    const accepted = listener.accept();
    if (accepted === WOULD_BLOCK) return;
    into.push(accepted);
  }
}

/** Polls (with a deadline, never forever) until `done()`; fails with `what` otherwise. */
function pollUntil(poll: Poll, events: Events, what: string, done: () => boolean): void {
  const deadline = Date.now() + 5000;
  while (!done()) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out after 5 s waiting for ${what}`);
    poll.poll(events, left);
  }
}

/** A listener, a client connected to it and the server side of that connection, on one Poll. */
interface Pair {
  readonly poll: Poll;
  readonly events: Events;
  readonly client: TcpStream;
  readonly server: TcpStream;
  /** Closes all of it. */
  close(): void;
}

/** Connects a client to a fresh listener and accepts it (with a deadline), on `backend`. */
function connectedPair(backend: BackendName): Pair {
  const poll = new Poll({ backend });
  const events = new Events(8);
  const listener = TcpListener.bind("127.0.0.1:0");
  const client = TcpStream.connect(`127.0.0.1:${listener.localAddr().port}`);
  const accepted: Accepted[] = [];
  const close = (): void => {
    for (const a of accepted) a.stream.close();
    client.close();
    listener.close();
    poll.close();
  };
  try {
    poll.registry().register(listener, LISTENER, Interest.READABLE);
    pollUntil(poll, events, "the connection", () => {
      acceptAll(listener, accepted);
      return accepted.length > 0;
    });
    const server = accepted[0]?.stream;
    if (server === undefined) throw new Error("no connection accepted");
    return { poll, events, client, server, close };
  } catch (error) {
    close();
    throw error;
  }
}

/** A node:net client (the harness's own socket, on Node's loop) once it is connected. */
function netClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

describe.each(BACKENDS)("TcpListener on %s", (backend) => {
  it("binds port 0 to a free port that localAddr reports, and refuses a taken one", () => {
    const listener = TcpListener.bind("127.0.0.1:0");
    try {
      const { host, port } = listener.localAddr();
      expect(host).toBe("127.0.0.1");
      expect(port).toBeGreaterThan(0);
      expect(() => TcpListener.bind(`127.0.0.1:${port}`)).toThrowError(
        expect.objectContaining({ code: "EADDRINUSE", syscall: "bind" }),
      );
      expect(() => TcpListener.bind("127.0.0.1")).toThrow(TypeError);
      expect(() => TcpListener.bind("127.0.0.1:0", { backlog: 0 })).toThrow(RangeError);
    } finally {
      listener.close();
    }
    expect(listener.fd).toBe(-1);
    listener.close(); // idempotent
  });

  it("shares a port with reusePort: each listener accepts some of the connections", () => {
    const count = 64;
    const poll = new Poll({ backend });
    const events = new Events(64);
    const first = TcpListener.bind("127.0.0.1:0", { reusePort: true });
    const { port } = first.localAddr();
    const listeners = [first];
    const clients: TcpStream[] = [];
    const accepted: Accepted[][] = [[], []];
    try {
      // Without it, the port is taken; with it on both sides, a second listener binds.
      expect(() => TcpListener.bind(`127.0.0.1:${port}`)).toThrowError(
        expect.objectContaining({ code: "EADDRINUSE" }),
      );
      listeners.push(TcpListener.bind(`127.0.0.1:${port}`, { reusePort: true }));
      listeners.forEach((listener, i) => {
        poll.registry().register(listener, Token(i), Interest.READABLE);
      });
      // Each connection from a port of its own: the kernel picks a listener by hashing it.
      for (let i = 0; i < count; i++) clients.push(TcpStream.connect(`127.0.0.1:${port}`));
      pollUntil(poll, events, `${count} connections over two listeners`, () => {
        for (let i = 0; i < events.length; i++) {
          const at = events.token(i);
          const listener = listeners[at];
          if (listener !== undefined) acceptAll(listener, accepted[at] ?? []);
        }
        return (accepted[0]?.length ?? 0) + (accepted[1]?.length ?? 0) >= count;
      });
      // 64 hashed connections all on one side would be a 1 in 2^63 chance.
      expect(accepted[0]?.length).toBeGreaterThan(0);
      expect(accepted[1]?.length).toBeGreaterThan(0);
    } finally {
      for (const a of accepted.flat()) a.stream.close();
      for (const c of clients) c.close();
      for (const listener of listeners) listener.close();
      poll.close();
    }
  });

  it("accepts many connections, each with its own peer address", () => {
    const count = 100;
    const poll = new Poll({ backend });
    const events = new Events(64);
    const listener = TcpListener.bind("127.0.0.1:0");
    const { port } = listener.localAddr();
    const clients: TcpStream[] = [];
    const accepted: Accepted[] = [];
    try {
      poll.registry().register(listener, LISTENER, Interest.READABLE);
      for (let i = 0; i < count; i++) clients.push(TcpStream.connect(`127.0.0.1:${port}`));
      pollUntil(poll, events, `${count} connections`, () => {
        for (let i = 0; i < events.length; i++) {
          if (events.token(i) === LISTENER) acceptAll(listener, accepted);
        }
        return accepted.length >= count;
      });
      expect(accepted.length).toBe(count);
      const peers = new Set(accepted.map((a) => a.peer.port));
      expect(peers.size).toBe(count);
      for (const a of accepted) {
        expect(a.peer.host).toBe("127.0.0.1");
        expect(a.stream.address).toBe(`127.0.0.1:${a.peer.port}`);
      }
    } finally {
      for (const a of accepted) a.stream.close();
      for (const c of clients) c.close();
      listener.close();
      poll.close();
    }
  });

  it("accepts after WOULD_BLOCK once a new connection makes it readable again", () => {
    const poll = new Poll({ backend });
    const events = new Events(8);
    const listener = TcpListener.bind("127.0.0.1:0");
    const address = `127.0.0.1:${listener.localAddr().port}`;
    const accepted: Accepted[] = [];
    const clients: TcpStream[] = [];
    try {
      expect(listener.accept()).toBe(WOULD_BLOCK);
      poll.registry().register(listener, LISTENER, Interest.READABLE);
      poll.poll(events, 0);
      expect(events.length).toBe(0);
      // Twice: the second round proves the readiness edge re-arms after WOULD_BLOCK.
      for (let round = 1; round <= 2; round++) {
        clients.push(TcpStream.connect(address));
        pollUntil(poll, events, `connection ${round}`, () => events.length > 0);
        expect(events.token(0)).toBe(LISTENER);
        expect(events.isReadable(0)).toBe(true);
        acceptAll(listener, accepted);
        expect(accepted.length).toBe(round);
        poll.poll(events, 0);
        expect(events.length).toBe(0);
      }
    } finally {
      for (const a of accepted) a.stream.close();
      for (const c of clients) c.close();
      listener.close();
      poll.close();
    }
  });

  it("survives a peer that resets before being accepted, and keeps accepting", async () => {
    const poll = new Poll({ backend });
    const events = new Events(8);
    const listener = TcpListener.bind("127.0.0.1:0");
    const { port } = listener.localAddr();
    const accepted: Accepted[] = [];
    let healthy: TcpStream | undefined;
    try {
      poll.registry().register(listener, LISTENER, Interest.READABLE);
      const rude = await netClient(port);
      const closed = new Promise<void>((resolve) => rude.once("close", () => resolve()));
      rude.resetAndDestroy(); // SO_LINGER 0 + close: an RST, not a FIN
      await closed;
      pollUntil(poll, events, "the reset connection", () => events.length > 0);
      acceptAll(listener, accepted);
      // Linux keeps the reset connection in the accept queue: accept hands it over, and
      // the reset shows on the first read, a typed error on that stream only.
      expect(accepted.length).toBe(1);
      for (const a of accepted) {
        const stream = a.stream;
        expect(() => stream.read(Buffer.alloc(16))).toThrowError(
          expect.objectContaining({ code: "ECONNRESET", syscall: "read" }),
        );
        expect(stream.takeError()).toBeNull();
      }
      healthy = TcpStream.connect(`127.0.0.1:${port}`);
      const before = accepted.length;
      pollUntil(poll, events, "a healthy connection after the reset", () => {
        acceptAll(listener, accepted);
        return accepted.length > before;
      });
      expect(accepted.length).toBe(before + 1);
    } finally {
      for (const a of accepted) a.stream.close();
      healthy?.close();
      listener.close();
      poll.close();
    }
  });

  it("leaks no fd: listener, accepted and client sockets all closed", () => {
    const before = openFds();
    const poll = new Poll({ backend });
    const events = new Events(64);
    const listener = TcpListener.bind("127.0.0.1:0");
    const address = `127.0.0.1:${listener.localAddr().port}`;
    const clients: TcpStream[] = [];
    const accepted: Accepted[] = [];
    poll.registry().register(listener, LISTENER, Interest.READABLE);
    for (let i = 0; i < 20; i++) clients.push(TcpStream.connect(address));
    pollUntil(poll, events, "20 connections", () => {
      acceptAll(listener, accepted);
      return accepted.length >= 20;
    });
    for (const [i, a] of accepted.entries())
      poll.registry().register(a.stream, Token(i + 1), Interest.READABLE);
    expect(openFds()).toBeGreaterThanOrEqual(before + 41);
    for (const a of accepted) a.stream.close();
    for (const c of clients) c.close();
    listener.close();
    poll.close();
    expect(openFds()).toBe(before);
  });

  it("reports WOULD_BLOCK on a full socket, resumes on WRITABLE, and loses no byte", () => {
    const total = 16 * 1024 * 1024; // above tcp_wmem + tcp_rmem maxima, so a write must block
    const payload = Buffer.alloc(total);
    for (let i = 0; i < total; i++) payload[i] = (i * 7 + (i >>> 13)) & 0xff;
    const CLIENT = Token(1);
    const SERVER = Token(2);
    const { poll, events, client, server, close } = connectedPair(backend);
    try {
      // Fill the socket before the reader reads a byte: the writer must hit WOULD_BLOCK.
      let sent = 0;
      let blocked = 0;
      let partial = 0;
      for (;;) {
        const n = client.write(payload, sent, Math.min(1 << 20, total - sent));
        if (n === WOULD_BLOCK) break;
        if (n < Math.min(1 << 20, total - sent)) partial++;
        sent += n;
      }
      blocked++;
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThan(total);
      poll.registry().register(client, CLIENT, Interest.WRITABLE);
      poll.registry().register(server, SERVER, Interest.READABLE);
      // One spare byte, so a read past the payload would show rather than be cut off.
      const received = Buffer.alloc(total + 1);
      let got = 0;
      let eof = false;
      pollUntil(poll, events, `all ${total} bytes`, () => {
        for (let i = 0; i < events.length; i++) {
          if (events.token(i) === SERVER) {
            for (;;) {
              const n = server.read(received, got, Math.min(total + 1 - got, 1 << 16));
              if (n === WOULD_BLOCK) break;
              if (n === 0) {
                eof = true;
                break;
              }
              got += n;
            }
          } else if (events.token(i) === CLIENT && sent < total) {
            for (;;) {
              const want = Math.min(1 << 20, total - sent);
              const n = client.write(payload, sent, want);
              if (n === WOULD_BLOCK) {
                blocked++;
                break;
              }
              if (n < want) partial++;
              sent += n;
              if (sent === total) {
                client.close(); // FIN: the reader sees end of stream after the last byte
                break;
              }
            }
          }
        }
        return eof;
      });
      expect(sent).toBe(total);
      expect(got).toBe(total);
      expect(received.subarray(0, total).equals(payload)).toBe(true);
      expect(blocked).toBeGreaterThanOrEqual(1);
      // A short write is how the socket says "this much fit": it must have happened too.
      expect(partial).toBeGreaterThanOrEqual(1);
    } finally {
      close();
    }
  });

  it("shutdown(WRITE): the peer reads what was sent, then end of stream, and can still answer", () => {
    const CLIENT = Token(1);
    const SERVER = Token(2);
    const { poll, events, client, server, close } = connectedPair(backend);
    try {
      poll.registry().register(server, SERVER, Interest.READABLE);
      poll.registry().register(client, CLIENT, Interest.READABLE);
      expect(server.write(Buffer.from("last words"))).toBe(10);
      server.shutdown(Shutdown.WRITE);
      // The client reads the bytes, then end of stream (the FIN came after them)...
      const got = Buffer.alloc(64);
      let length = 0;
      let eof = false;
      pollUntil(poll, events, "the bytes, then end of stream", () => {
        for (;;) {
          const n = client.read(got, length, got.length - length);
          if (n === WOULD_BLOCK) return false;
          if (n === 0) {
            eof = true;
            return true;
          }
          length += n;
        }
      });
      expect(eof).toBe(true);
      expect(got.toString("latin1", 0, length)).toBe("last words");
      // ...and what it sends after that still reaches the server, which shut only its writes.
      expect(client.write(Buffer.from("still here"))).toBe(10);
      const back = Buffer.alloc(64);
      let backLength = 0;
      pollUntil(poll, events, "the client's bytes after the shutdown", () => {
        const n = server.read(back, backLength, back.length - backLength);
        if (n !== WOULD_BLOCK) backLength += n;
        return backLength >= 10;
      });
      expect(back.toString("latin1", 0, backLength)).toBe("still here");
      // A write after shutting the write half is refused, as the OS refuses it.
      expect(() => server.write(Buffer.from("x"))).toThrow(IoError);
    } finally {
      close();
    }
  });
});

describe("TcpStream.connect's address cache", () => {
  // connect keeps the last address it parsed; each connect must still reach the address
  // it was given, whether text or an object, and an object changed since is read again.
  it("reaches the listener each address names, text or object, changed or not", () => {
    const poll = new Poll();
    const events = new Events(16);
    const a = TcpListener.bind("127.0.0.1:0");
    const b = TcpListener.bind("127.0.0.1:0");
    const portA = a.localAddr().port;
    const portB = b.localAddr().port;
    const clients: TcpStream[] = [];
    const accepted: Accepted[] = [];
    try {
      poll.registry().register(a, Token(1), Interest.READABLE);
      poll.registry().register(b, Token(2), Interest.READABLE);
      const moving = { host: "127.0.0.1", port: portA };
      const addresses: (() => SocketAddress)[] = [
        () => ({ host: "127.0.0.1", port: portA }),
        () => ({ host: "127.0.0.1", port: portA }),
        () => ({ host: "127.0.0.1", port: portB }),
        () => `127.0.0.1:${portA}`,
        () => ({ host: "127.0.0.1", port: portB }),
        () => moving,
        () => {
          moving.port = portB;
          return moving;
        },
      ];
      // One connect at a time, and which listener took it.
      const reached: string[] = [];
      for (const address of addresses) {
        clients.push(TcpStream.connect(address()));
        pollUntil(poll, events, "the connection", () => {
          const before = accepted.length;
          acceptAll(a, accepted);
          if (accepted.length > before) reached.push("A");
          const middle = accepted.length;
          acceptAll(b, accepted);
          if (accepted.length > middle) reached.push("B");
          return accepted.length === clients.length;
        });
      }
      expect(reached).toEqual(["A", "A", "B", "A", "B", "A", "B"]);
    } finally {
      for (const { stream } of accepted) stream.close();
      for (const client of clients) client.close();
      a.close();
      b.close();
      poll.close();
    }
  });
});

describe("TcpListener errors", () => {
  it("accept on a closed listener throws a typed IoError", () => {
    const listener = TcpListener.bind("127.0.0.1:0");
    listener.close();
    expect(() => listener.accept()).toThrow(IoError);
  });
});
