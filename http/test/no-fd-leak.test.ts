import { type DelayServer, startDelayServerThread } from "@ch08/delayserver";
import { afterAll, beforeAll, expect, it } from "vitest";
import { HttpError, HttpGetFuture } from "../dist/index.js";
import { type RawServer, startRawServer } from "./helpers/raw-server.js";
import { freePort, settledFds, silencePrintln, stableFds, TestReactor } from "./helpers/reactor.js";

let server: DelayServer;
let raw: RawServer;
let reactor: TestReactor;

beforeAll(async () => {
  server = await startDelayServerThread({ port: 0, quiet: true });
  raw = await startRawServer();
  reactor = new TestReactor();
  silencePrintln();
});

afterAll(async () => {
  reactor?.close();
  await raw?.close();
  await server?.close();
});

it("every socket is closed on every path: ~200 requests, good and failing, leave no fd behind", async () => {
  const dead = `127.0.0.1:${await freePort()}`;
  // Warm up once per kind, so lazily opened things (libc handles, thread pools) are counted.
  const kinds: [string, string][] = [
    [server.address, "/0/ok"],
    [server.address, "/5/ok"],
    [raw.address, "/chunked"],
    [raw.address, "/http10"],
    [raw.address, "/garbage"],
    [raw.address, "/truncated-body"],
    [raw.address, "/close-without-answer"],
    [raw.address, "/huge"],
    [raw.address, "/reset"],
    [dead, "/0/refused"],
  ];
  const round = () =>
    reactor.driveAll(kinds.map(([address, path]) => new HttpGetFuture(path, reactor, { address })));
  round();
  const before = await stableFds();

  const outcomes = new Map<string, number>();
  for (let i = 0; i < 20; i++) {
    for (const result of round()) {
      const key =
        typeof result === "string"
          ? "ok"
          : result instanceof HttpError
            ? result.code
            : result.message;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
  }
  // Abandoned halfway too: close() must release the socket.
  for (let i = 0; i < 10; i++) {
    const future = new HttpGetFuture("/never", reactor, { address: raw.address });
    future.poll(undefined);
    future.close();
  }

  expect(Object.fromEntries(outcomes)).toEqual({
    ok: 80,
    MALFORMED: 20,
    TRUNCATED: 40,
    TOO_LARGE: 20,
    IO: 20,
    UNREACHABLE: 20,
  });
  expect(reactor.registered.size).toBe(0);
  // The servers close their ends on their own threads: let the count settle.
  expect(await settledFds(before)).toBe(before);
});
