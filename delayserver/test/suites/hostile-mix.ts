// Hostile clients all at once, as tests any delayserver can be held to. The other suites
// try one kind of bad client at a time; here resets, garbage, oversized heads, clients
// that leave mid-pipeline, stop reading or half-close come together for a few seconds,
// interleaved with well-behaved clients, which must still get every answer, in order. Then
// the server must serve a newcomer and hold no descriptor of the clients that have gone.
// Each of the clients draws its mix from a generator seeded with the run's seed and its own
// number, so its n-th connection is the same kind of client, sending the same bytes, in
// every run with that seed: a failure names a seed that repeats it (timing aside).
import { readdirSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { get, splitAddress, within } from "./client.js";
import type { ServerUnderTest, StartServerUnderTest } from "./routes.js";

/** How long the mix runs, and how many clients are connected at any moment. */
const MIX_MS = 3_000;
const CONCURRENT = 48;
/** The longest any client waits for the server before the suite calls it stuck. */
const CLIENT_DEADLINE_MS = 10_000;

/** The seed of the mix: HOSTILE_MIX_SEED repeats a failed run. */
const SEED = Number(process.env.HOSTILE_MIX_SEED ?? 20261127);

/** A small seeded generator (an LCG): the same seed draws the same mix. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

/** How many descriptors this process has open (both ends of every connection are here). */
const openFds = (): number => readdirSync("/proc/self/fd").length;

const request = (delayMs: number, message: string, extra = ""): string =>
  `GET /${delayMs}/${message} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`;

/** The bodies of the complete answers at the start of `bytes` (Content-Length framed). */
function bodiesIn(bytes: string): string[] {
  const bodies: string[] = [];
  let at = 0;
  for (;;) {
    const headEnd = bytes.indexOf("\r\n\r\n", at);
    if (headEnd < 0) return bodies;
    const length = /\r\ncontent-length: *(\d+)/i.exec(bytes.slice(at, headEnd))?.[1];
    const end = headEnd + 4 + Number(length ?? 0);
    if (end > bytes.length) return bodies;
    bodies.push(bytes.slice(headEnd + 4, end));
    at = end;
  }
}

/** What the mix saw. */
interface MixOutcome {
  /** Connections opened, by kind of client. */
  readonly kinds: Record<string, number>;
  /** Well-behaved clients that did not get exactly their answers, in order. */
  readonly wrong: string[];
  /** Clients the server left waiting past the deadline. */
  readonly stuck: string[];
}

/**
 * One kind of client: it gets a connected socket and a random source, and either settles
 * a promise itself (with what went wrong, or undefined) or lets the connection's close do it.
 */
type Kind = (socket: Socket, random: () => number, id: string) => Promise<string | undefined>;

const closed = (socket: Socket): Promise<undefined> =>
  new Promise((resolve) => socket.once("close", () => resolve(undefined)));

const KINDS: Record<string, Kind> = {
  /** Pipelines 1–5 requests and checks every answer's body, in order, then leaves. */
  wellBehaved: (socket, random, id) => {
    const messages = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => `${id}-${i}`);
    socket.write(messages.map((m) => request(Math.floor(random() * 30), m)).join(""));
    let received = "";
    return new Promise((resolve) => {
      socket.on("data", (chunk: Buffer) => {
        received += chunk.toString("latin1");
        const bodies = bodiesIn(received);
        if (bodies.length < messages.length) return;
        socket.end();
        const same = bodies.length === messages.length && bodies.every((b, i) => b === messages[i]);
        resolve(
          same ? undefined : `${id} asked for ${messages.join(",")}, got ${bodies.join(",")}`,
        );
      });
      socket.once("close", () => {
        if (bodiesIn(received).length < messages.length)
          resolve(
            `${id}: the server closed after ${bodiesIn(received).length} of ${messages.length} answers`,
          );
      });
    });
  },
  /** Pipelines up to 20 held requests and closes before most are answered. */
  leavesMidPipeline: (socket, random, id) => {
    const count = 1 + Math.floor(random() * 20);
    socket.write(
      Array.from({ length: count }, (_, i) =>
        request(Math.floor(random() * 200), `${id}-${i}`),
      ).join(""),
    );
    setTimeout(() => socket.destroy(), random() * 20);
    return closed(socket);
  },
  /** Sends a held request, then resets the connection. */
  resets: (socket, random, id) => {
    socket.write(request(Math.floor(random() * 200), id));
    setTimeout(() => socket.resetAndDestroy(), random() * 30);
    return closed(socket);
  },
  /** Sends half a head, then resets. */
  resetsMidHead: (socket, random) => {
    socket.write("GET /0/x HTTP/1.1\r\nHo");
    setTimeout(() => socket.resetAndDestroy(), random() * 30);
    return closed(socket);
  },
  /** Sends a request and its FIN at once, and waits for the server to close. */
  halfCloses: (socket, random, id) => {
    socket.end(request(Math.floor(random() * 20), id));
    return closed(socket);
  },
  /** Random bytes, then leaves. */
  garbage: (socket, random) => {
    const bytes = Buffer.alloc(1 + Math.floor(random() * 3_000));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
    socket.write(bytes);
    setTimeout(() => socket.destroy(), random() * 50);
    return closed(socket);
  },
  /** A head past 16 KiB, and waits for the server to refuse it and close. */
  oversizedHead: (socket) => {
    socket.end(`GET /0/x HTTP/1.1\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    return closed(socket);
  },
  /** Pipelines 200 requests and never reads an answer, then leaves. */
  neverReads: (socket, random, id) => {
    socket.pause();
    socket.write(request(0, `${id}-${"w".repeat(200)}`).repeat(200));
    setTimeout(() => socket.destroy(), 100 + random() * 200);
    return closed(socket);
  },
  /** Announces a 100,000-byte body, sends 5,000 bytes of it and resets. */
  bodyCutShort: (socket, random) => {
    socket.write(`${request(0, "body", "Content-Length: 100000\r\n")}${"z".repeat(5_000)}`);
    setTimeout(() => socket.resetAndDestroy(), random() * 30);
    return closed(socket);
  },
  /** Connects and says nothing. */
  silent: (socket, random) => {
    setTimeout(() => socket.destroy(), random() * 100);
    return closed(socket);
  },
};

/** Runs the mix against `address` for MIX_MS. */
async function runMix(address: string): Promise<MixOutcome> {
  const [host, port] = splitAddress(address);
  const names = Object.keys(KINDS);
  const kinds: Record<string, number> = {};
  const wrong: string[] = [];
  const stuck: string[] = [];
  const until = Date.now() + MIX_MS;
  const client = async (index: number): Promise<void> => {
    const random = generator(SEED + index * 7_919);
    let drawn = 0;
    while (Date.now() < until) {
      const name = names[Math.floor(random() * names.length)] ?? "silent";
      const id = `c${index}.${drawn++}`;
      kinds[name] = (kinds[name] ?? 0) + 1;
      const socket = connect({ host, port: Number(port) });
      socket.on("error", () => {});
      await new Promise<void>((resolve) => socket.once("connect", resolve).once("close", resolve));
      if (socket.destroyed) {
        stuck.push(`${id} (${name}): could not connect`);
        continue;
      }
      // Reading what the server sends, so its close is seen; neverReads pauses again.
      socket.resume();
      const kind = KINDS[name] ?? KINDS.silent;
      if (kind === undefined) return;
      const settled = await within(kind(socket, random, id), CLIENT_DEADLINE_MS, "").catch(() => {
        stuck.push(`${id} (${name})`);
        socket.destroy();
        return undefined;
      });
      if (settled !== undefined) wrong.push(settled);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT }, (_, index) => client(index)));
  return { kinds, wrong, stuck };
}

/** Registers the tests: a few seconds of mixed hostile clients, then what must still hold. */
export function describeDelayServerHostileMix(name: string, start: StartServerUnderTest): void {
  describe(`${name} (seed ${SEED})`, () => {
    let server: ServerUnderTest | undefined;
    let fdsBefore = 0;
    let outcome: MixOutcome = { kinds: {}, wrong: [], stuck: [] };
    beforeAll(
      async () => {
        server = await start({ maxDelayMs: 60_000 });
        fdsBefore = openFds();
        outcome = await runMix(server.address);
      },
      MIX_MS + 2 * CLIENT_DEADLINE_MS,
    );
    afterAll(async () => {
      await server?.stop();
    });
    const running = (): ServerUnderTest => {
      if (server === undefined) throw new Error(`${name}: the server did not start`);
      return server;
    };

    it("the well-behaved clients among them got every answer, in order, and nobody was left waiting", () => {
      expect(outcome.kinds.wellBehaved ?? 0).toBeGreaterThan(20);
      expect(Object.keys(outcome.kinds)).toHaveLength(Object.keys(KINDS).length);
      expect(outcome.wrong).toEqual([]);
      expect(outcome.stuck).toEqual([]);
    });

    it("afterwards it holds no descriptor of the clients that have gone", async () => {
      // Both ends of every connection were in this process; the server closes its end
      // once it has seen the client go (a refused one after its linger, at most 2 s).
      await within(
        (async () => {
          while (openFds() > fdsBefore + 2) await new Promise((r) => setTimeout(r, 20));
        })(),
        5_000,
        () => `descriptors back to ${fdsBefore} (+2); ${openFds()} open`,
      );
    });

    it("afterwards it answers a newcomer", async () => {
      expect((await get(running().address, "/0/after%20the%20mix")).body).toBe("after the mix");
    });
  });
}
