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
