import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, expect, it, vi } from "vitest";
import { canBind, type Dist, get, loadDist } from "./helpers.js";

// withDelayServer is what the stage programs' main.ts files call (added by the stages).
let dist: Dist;
beforeAll(async () => {
  dist = await loadDist();
});

const savedEnv = process.env.DELAYSERVER;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.DELAYSERVER;
  else process.env.DELAYSERVER = savedEnv;
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

it("uses the server at DELAYSERVER, silently, and leaves it running", async () => {
  const running = await dist.startDelayServer({ port: 0, quiet: true });
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    process.env.DELAYSERVER = running.address;
    let seen = "";
    await dist.withDelayServer(async () => {
      seen = process.env.DELAYSERVER ?? "";
      expect((await get(seen, "/10/inside")).body).toBe("inside");
    });
    expect(seen).toBe(running.address);
    expect(log).not.toHaveBeenCalled();
    expect((await get(running.address, "/0/after")).body).toBe("after");
  } finally {
    await running.close();
  }
});

it("starts one for the run when none listens, says so in one line, and stops it after", async () => {
  const probe = await dist.startDelayServer({ port: 0, quiet: true });
  const port = probe.port;
  await probe.close();
  process.env.DELAYSERVER = `127.0.0.1:${port}`;
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  await dist.withDelayServer(async () => {
    expect((await get(process.env.DELAYSERVER ?? "", "/10/started")).body).toBe("started");
  });
  expect(log).toHaveBeenCalledTimes(1);
  expect(String(log.mock.calls[0]?.[0])).toMatch(/started one on a worker thread/);
  expect(await canBind(port)).toBe(true);
});

it("prints a failure's message alone and sets exit code 1", async () => {
  const running = await dist.startDelayServer({ port: 0, quiet: true });
  const error = vi.spyOn(console, "error").mockImplementation(() => {});
  try {
    process.env.DELAYSERVER = running.address;
    await dist.withDelayServer(() => {
      throw new Error("is the delayserver running?");
    });
    expect(error).toHaveBeenCalledWith("error: is the delayserver running?");
    expect(process.exitCode).toBe(1);
  } finally {
    await running.close();
  }
});

it("as its own entry, finds a running server without loading node:http or worker_threads", async () => {
  // What `pnpm start` in every stage pays before the book's example runs: a connect to
  // find the server. node:http and a thread load only when one must be started.
  const running = await dist.startDelayServer({ port: 0, quiet: true });
  try {
    const program = `
      const before = new Set(process.moduleLoadList);
      const { withDelayServer } = await import("@ch08/delayserver/with-delayserver");
      await withDelayServer(() => {});
      const loaded = process.moduleLoadList.filter((m) => !before.has(m));
      console.log(JSON.stringify(loaded.filter((m) => m.startsWith("NativeModule "))));
    `;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", program], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { ...process.env, DELAYSERVER: running.address },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const builtins = (JSON.parse(run.stdout) as string[]).map((m) =>
      m.slice("NativeModule ".length),
    );
    expect(builtins).toContain("net");
    expect(builtins.filter((name) => ["http", "worker_threads"].includes(name))).toEqual([]);
  } finally {
    await running.close();
  }
});

it("an address the client cannot use, or cannot start a server at, is one line on stderr and exit 1", async () => {
  const error = vi.spyOn(console, "error").mockImplementation(() => {});
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  const cases: [string, RegExp][] = [
    ["127.0.0.1:99999", /invalid delayserver address "127\.0\.0\.1:99999": expected host:port/],
    ["127.0.0.1", /expected host:port/],
    ["[::1]:19555", /connects to an IPv4 address or localhost only/],
    ["example.com:80", /connects to an IPv4 address or localhost only/],
    // TEST-NET-1 (RFC 5737) and a multicast group: nothing answers, and no server may be started there.
    ["192.0.2.1:19555", /nothing accepts connections at 192\.0\.2\.1:19555.*only on this machine/],
    ["224.0.0.1:19555", /nothing accepts connections at 224\.0\.0\.1:19555.*only on this machine/],
  ];
  for (const [address, message] of cases) {
    error.mockClear();
    process.exitCode = undefined;
    process.env.DELAYSERVER = address;
    let ran = false;
    await dist.withDelayServer(() => {
      ran = true;
    });
    expect(ran, address).toBe(false);
    expect(process.exitCode, address).toBe(1);
    expect(error, address).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0]?.[0]), address).toMatch(/^error: /);
    expect(String(error.mock.calls[0]?.[0]), address).toMatch(message);
  }
  expect(log).not.toHaveBeenCalled();
});

it("a CH08_EXPERIMENT no stage knows is one line naming those that exist, and exit 1", async () => {
  const error = vi.spyOn(console, "error").mockImplementation(() => {});
  const saved = process.env.CH08_EXPERIMENT;
  try {
    process.env.CH08_EXPERIMENT = "lifoo"; // a typo of lifo: it would run the book's program unchanged
    let ran = false;
    await dist.withDelayServer(() => {
      ran = true;
    });
    expect(ran).toBe(false);
    expect(process.exitCode).toBe(1);
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0]?.[0])).toMatch(
      /^error: CH08_EXPERIMENT=lifoo is not an experiment.*join-all, no-first-waker, late-waker, lifo, unbounded-wait; unset it/,
    );
  } finally {
    if (saved === undefined) delete process.env.CH08_EXPERIMENT;
    else process.env.CH08_EXPERIMENT = saved;
  }
});
