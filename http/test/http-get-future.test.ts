import { type DelayServer, startDelayServerThread } from "@ch08/delayserver";
import { Interest } from "@ch08/mio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_ADDRESS,
  delayserverAddress,
  encodeRequest,
  HttpError,
  HttpGetFuture,
  InvalidAddressError,
  InvalidPathError,
  UnreachableError,
} from "../dist/index.js";
import { startRawServer } from "./helpers/raw-server.js";
import {
  freePort,
  openFds,
  settledFds,
  silencePrintln,
  stableFds,
  TestReactor,
} from "./helpers/reactor.js";

let server: DelayServer;
let reactor: TestReactor;
let printed: () => string;

beforeAll(async () => {
  server = await startDelayServerThread({ port: 0, quiet: true });
  process.env.DELAYSERVER = server.address;
  reactor = new TestReactor();
  printed = silencePrintln();
});

afterAll(async () => {
  reactor?.close();
  await server?.close();
});

describe("HttpGetFuture against a real delayserver", () => {
  it("is lazy, prints FIRST POLL once, and its output is the whole response as text", () => {
    const before = printed();
    const future = new HttpGetFuture("/100/HelloAsyncAwait", reactor);
    expect(reactor.calls.filter((c) => c.startsWith("register"))).toEqual([]);
    expect(printed()).toBe(before);
    const started = performance.now();
    const text = reactor.drive(future);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(printed().slice(before.length)).toBe("FIRST POLL - START OPERATION\n");
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text.endsWith("\r\n\r\nHelloAsyncAwait")).toBe(true);
    expect(future.response.status).toBe(200);
    expect(future.response.headers.get("content-length")).toBe("15");
    expect(future.response.body.toString()).toBe("HelloAsyncAwait");
    expect(future.response.text).toBe(text);
    expect(future.polls).toBeGreaterThanOrEqual(2);
  });

  it("stores the waker before registering, then on every NotReady; registers read interest under its token; deregisters when done", () => {
    reactor.calls.length = 0;
    const future = new HttpGetFuture("/50/x", reactor);
    reactor.drive(future);
    const id = Number(reactor.calls[0]?.split(" ")[1]);
    const ops = reactor.calls.map((c) => c.split(" ")[0]);
    // The waker first: from the moment the socket is registered the reactor may see its
    // event, and an event with no waker is dropped (edge-triggered: for good).
    expect(ops[0]).toBe("setWaker");
    expect(ops[1]).toBe("register");
    expect(ops.at(-1)).toBe("deregister");
    expect(reactor.calls.every((c) => Number(c.split(" ")[1]) === id)).toBe(true);
    // The request goes out on the first poll (or on writability): then only reads are watched.
    const firstInterest = Number(reactor.calls[1]?.split(" ")[2]);
    if (firstInterest !== Interest.READABLE) {
      expect(reactor.calls).toContain(`reregister ${id} ${Interest.READABLE}`);
    }
    // Once before registering, then at every later NotReady: once per poll but the last.
    expect(ops.filter((op) => op === "setWaker").length).toBe(future.polls - 1);
    expect(reactor.registered.size).toBe(0);
  });

  it("each future gets its own token; many run concurrently on one Poll", () => {
    const futures = Array.from({ length: 10 }, (_, i) => new HttpGetFuture(`/200/n${i}`, reactor));
    const started = performance.now();
    const results = reactor.driveAll(futures);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    results.forEach((r, i) => {
      expect(typeof r === "string" && r.endsWith(`\r\n\r\nn${i}`)).toBe(true);
    });
    expect(new Set(results.map((_, i) => futures[i]?.response.body.toString())).size).toBe(10);
  });

  it("response before the future is ready, and a poll after it finished, say what is wrong", () => {
    const future = new HttpGetFuture("/0/x", reactor);
    expect(() => future.response).toThrow(/has not finished yet/);
    reactor.drive(future);
    expect(() => future.poll(undefined)).toThrow(/polled after it finished/);
  });

  it("close() before the end deregisters and closes the socket; closing twice is fine", () => {
    const future = new HttpGetFuture("/60000/never", reactor);
    expect(future.poll(undefined).ready).toBe(false);
    expect(reactor.registered.size).toBe(1);
    future.close();
    future.close();
    expect(reactor.registered.size).toBe(0);
  });
});

describe("the address", () => {
  it("comes from DELAYSERVER when the future is created, else 127.0.0.1:8080", () => {
    const saved = process.env.DELAYSERVER;
    try {
      process.env.DELAYSERVER = "127.0.0.1:1234";
      const future = new HttpGetFuture("/1/x", reactor);
      process.env.DELAYSERVER = saved;
      expect(future.address).toBe("127.0.0.1:1234");
      delete process.env.DELAYSERVER;
      expect(delayserverAddress()).toBe(DEFAULT_ADDRESS);
      expect(DEFAULT_ADDRESS).toBe("127.0.0.1:8080");
      process.env.DELAYSERVER = "";
      expect(delayserverAddress()).toBe(DEFAULT_ADDRESS);
      expect(new HttpGetFuture("/1/x", reactor, { address: "10.0.0.1:9" }).address).toBe(
        "10.0.0.1:9",
      );
    } finally {
      process.env.DELAYSERVER = saved;
    }
  });

  it("the request is GET {path} HTTP/1.1 with Host and Connection: close", () => {
    expect(encodeRequest("/600/HelloAsyncAwait", "127.0.0.1:8080").toString()).toBe(
      "GET /600/HelloAsyncAwait HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n",
    );
  });
});

describe("validatePath: rejected when the future is created", () => {
  const cases: [string, RegExp][] = [
    ["/a\rb", /contains CR at 2/],
    ["/a\nInjected: header", /contains LF at 2/],
    ["/600/Hello World", /contains a space at 10/],
    ["600/HelloAsyncAwait", /must start with '\/'/],
    ["", /must start with '\/'/],
    ["/600/héllo", /contains U\+00e9 at 6/],
    ["/600/\u{1f600}", /contains U\+d83d at 5/],
    ["/tab\there", /contains U\+0009/],
  ];
  for (const [path, message] of cases) {
    it(`${JSON.stringify(path)} → InvalidPathError`, () => {
      reactor.calls.length = 0;
      let caught: unknown;
      try {
        new HttpGetFuture(path, reactor);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidPathError);
      if (!(caught instanceof InvalidPathError)) return;
      expect(caught.code).toBe("INVALID_PATH");
      expect(caught.message).toMatch(message);
      expect(caught.message).toContain(JSON.stringify(path));
      // Rejected before anything happened: no token taken, no socket.
      expect(reactor.calls).toEqual([]);
    });
  }

  it("percent-encoded paths are fine", () => {
    expect(
      () => new HttpGetFuture(`/0/${encodeURIComponent("Hello World é")}`, reactor),
    ).not.toThrow();
  });
});

describe("UnreachableError", () => {
  it("a port nobody listens on: the message names the address and `pnpm delayserver`", async () => {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const future = new HttpGetFuture("/0/x", reactor, { address });
    let caught: unknown;
    try {
      reactor.drive(future, 5000);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnreachableError);
    if (!(caught instanceof UnreachableError)) return;
    expect(caught.code).toBe("UNREACHABLE");
    expect(caught.address).toBe(address);
    expect(caught.message).toMatch(
      new RegExp(
        `^connection refused: is the delayserver running at ${address.replaceAll(".", "\\.")}\\? start it with \`pnpm delayserver\``,
      ),
    );
    // The system call's own words stay in `cause`, out of the message.
    expect(caught.message).not.toContain("write ECONNREFUSED");
    expect(caught.cause).toBeInstanceOf(Error);
    expect((caught.cause as { code?: string }).code).toBe("ECONNREFUSED");
    expect(reactor.registered.size).toBe(0);
  });

  it("DELAYSERVER pointing at a dead port fails the same way", async () => {
    const saved = process.env.DELAYSERVER;
    const port = await freePort();
    process.env.DELAYSERVER = `127.0.0.1:${port}`;
    const future = new HttpGetFuture("/0/x", reactor);
    process.env.DELAYSERVER = saved;
    expect(() => reactor.drive(future, 5000)).toThrow(
      new RegExp(
        `connection refused: is the delayserver running at 127\\.0\\.0\\.1:${port}\\?.*pnpm delayserver`,
      ),
    );
  });
});

describe("a malformed address is refused before anything happens", () => {
  const cases: [string, RegExp][] = [
    ["127.0.0.1:19110\r\n", /it contains CR at 15/],
    ["127.0.0.1\r\nX-Injected: 1\r\n:80", /it contains CR at 9/],
    ["127.0.0.1:0x4AFF", /the port "0x4AFF" is not a decimal number/],
    ["127.0.0.1:1e3", /the port "1e3" is not a decimal number/],
    ["127.0.0.1:-1", /the port "-1" is not a decimal number/],
    ["127.0.0.1:", /the port "" is not a decimal number/],
    ["127.0.0.1:0", /the port 0 is not between 1 and 65535/],
    ["127.0.0.1:65536", /the port 65536 is not between 1 and 65535/],
    ["127.0.0.1", /there is no port/],
    ["example.com:80", /the host "example\.com" is not an IPv4 address or localhost/],
    ["127.0.0.256:80", /not an IPv4 address/],
    [" 127.0.0.1:8080", /it contains a space at 0/],
  ];
  for (const [address, message] of cases) {
    it(`DELAYSERVER=${JSON.stringify(address)} → InvalidAddressError, no token, no Host header`, () => {
      const saved = process.env.DELAYSERVER;
      reactor.calls.length = 0;
      let caught: unknown;
      try {
        process.env.DELAYSERVER = address;
        new HttpGetFuture("/0/x", reactor);
      } catch (error) {
        caught = error;
      } finally {
        process.env.DELAYSERVER = saved;
      }
      expect(caught).toBeInstanceOf(InvalidAddressError);
      if (!(caught instanceof InvalidAddressError)) return;
      expect(caught.code).toBe("INVALID_ADDRESS");
      expect(caught.address).toBe(address);
      expect(caught.message).toMatch(message);
      expect(caught.message).toContain(`${JSON.stringify(address)} (from DELAYSERVER)`);
      expect(caught.message).toContain("expected host:port, e.g. 127.0.0.1:8080");
      expect(reactor.calls).toEqual([]);
      // The option is checked the same way, and so is the Host header of a bare request.
      expect(() => new HttpGetFuture("/0/x", reactor, { address })).toThrow(InvalidAddressError);
      expect(() => encodeRequest("/0/x", address)).toThrow(InvalidAddressError);
    });
  }

  it("the Host header is rebuilt from the parsed parts", () => {
    const future = new HttpGetFuture("/0/x", reactor, { address: "127.000.0.001:08080" });
    expect(future.address).toBe("127.0.0.1:8080");
    expect(encodeRequest("/0/x", "localhost:80").toString()).toContain(
      "\r\nHost: localhost:80\r\n",
    );
  });

  it("an address or request just accepted is remembered, yet a bad one right after is still refused", () => {
    const first = encodeRequest("/0/x", "127.0.0.1:8080");
    expect(encodeRequest("/0/x", "127.0.0.1:8080")).toBe(first);
    expect(encodeRequest("/1/x", "127.0.0.1:8080").toString()).toContain("GET /1/x ");
    expect(() => encodeRequest("/0/x", "")).toThrow(InvalidAddressError);
    expect(() => encodeRequest("/0/x", "127.0.0.1:8080\r\nX: y")).toThrow(InvalidAddressError);
    expect(() => encodeRequest("0/x", "127.0.0.1:8080")).toThrow(InvalidPathError);
    expect(encodeRequest("/0/x", "127.0.0.1:8080").toString()).toContain("Host: 127.0.0.1:8080");
  });
});

describe("close() and [Symbol.dispose]() release a future given up on", () => {
  it("an abandoned request gives back its token's waker slot and its socket", async () => {
    // Four waker slots, like stage c's table but small: a leaked slot shows at once.
    const small = new TestReactor(4);
    // A server that holds each request and closes its end when the client does.
    const raw = await startRawServer();
    try {
      const fdsBefore = await stableFds();
      for (let i = 0; i < 10; i++) {
        const future = new HttpGetFuture("/never", small, { address: raw.address });
        expect(future.poll(undefined).ready).toBe(false);
        expect(small.wakers.size).toBe(1);
        expect(openFds()).toBeGreaterThan(fdsBefore);
        future[Symbol.dispose]();
        expect(small.wakers.size).toBe(0);
        expect(small.registered.size).toBe(0);
      }
      // Token 11 meets slot 3 again: free, so a healthy request after ten abandoned ones works.
      expect(small.drive(new HttpGetFuture("/0/healthy", small))).toMatch(/\r\n\r\nhealthy$/);
      // Every socket of ours is closed: the count comes back once the server saw the FINs.
      expect(await settledFds(fdsBefore)).toBe(fdsBefore);
    } finally {
      small.close();
      await raw.close();
    }
  });

  it("is idempotent, harmless before the first poll and after the end; a closed future cannot be polled", () => {
    reactor.calls.length = 0;
    const unpolled = new HttpGetFuture("/0/x", reactor);
    unpolled.close();
    unpolled[Symbol.dispose]();
    expect(reactor.calls).toEqual([]);
    expect(() => unpolled.poll(undefined)).toThrow(/polled after it was closed/);
    expect(reactor.calls).toEqual([]);

    const done = new HttpGetFuture("/0/x", reactor);
    reactor.drive(done);
    const calls = reactor.calls.length;
    done[Symbol.dispose]();
    done.close();
    expect(reactor.calls.length).toBe(calls);
    expect(done.response.body.toString()).toBe("x");

    const abandoned = new HttpGetFuture("/60000/x", reactor);
    abandoned.poll(undefined);
    abandoned.close();
    abandoned.close();
    expect(reactor.calls.filter((c) => c.startsWith("deregister")).length).toBe(2);
    expect(() => abandoned.poll(undefined)).toThrow(/polled after it was closed/);
    expect(reactor.wakers.size).toBe(0);
  });

  it("a registration that fails after the waker was stored gives the slot back (removeWaker)", () => {
    const broken = new TestReactor(4);
    // A closed Poll: epoll_ctl fails for real (EBADF) after setWaker stored the waker.
    broken.close();
    const future = new HttpGetFuture("/0/x", broken);
    expect(() => future.poll(undefined)).toThrow(HttpError);
    expect(broken.calls.map((c) => c.split(" ")[0])).toEqual(["setWaker", "removeWaker"]);
    expect(broken.wakers.size).toBe(0);
    future.close();
    expect(broken.calls.length).toBe(2);
  });
});
