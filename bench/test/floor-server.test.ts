// The C floor of section 8 on two threads: each thread must serve connections of its own,
// or the "2 threads" row would measure one thread under another name.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { get } from "@ch08/delayserver/test/suites/client";
import { afterAll, beforeAll, expect, it } from "vitest";

const SOURCE = new URL("../native/floor-server.c", import.meta.url).pathname;
let dir: string;
let binary: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "floor-"));
  binary = join(dir, "floor-server");
  execFileSync(process.env.CC ?? "cc", ["-O2", "-pthread", "-o", binary, SOURCE]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each thread's CPU time so far, ns, by thread id (/proc's schedstat). */
function runNsByThread(pid: number): Map<string, number> {
  const tids = readdirSync(`/proc/${pid}/task`);
  return new Map(
    tids.map((tid) => [
      tid,
      Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]),
    ]),
  );
}

/** Starts the floor with `args`; resolves with its pid and port once it prints its banner (5 s at most). */
function startFloor(args: string[]): Promise<{ pid: number; port: number; stop(): void }> {
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const late = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no banner within 5 s: ${out}`));
    }, 5000);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m === null || child.pid === undefined) return;
      clearTimeout(late);
      resolve({ pid: child.pid, port: Number(m[1]), stop: () => child.kill("SIGKILL") });
    });
    child.once("exit", (code) => {
      clearTimeout(late);
      reject(new Error(`exited before listening (code ${code}): ${out}`));
    });
  });
}

it("--threads 2 runs two threads that each serve connections of their own", async () => {
  const floor = await startFloor(["--port", "0", "--threads", "2"]);
  try {
    const before = runNsByThread(floor.pid);
    expect(before.size).toBe(2);
    // The kernel deals connections out among the listeners by their ports: 32 new ones
    // all landing on one listener would happen about once in two thousand million runs.
    const address = `127.0.0.1:${floor.port}`;
    const answers = await Promise.all(
      Array.from({ length: 32 }, (_, i) => get(address, `/0/c${i}`)),
    );
    expect(answers.every((a, i) => a.status === 200 && a.body === `c${i}`)).toBe(true);
    const after = runNsByThread(floor.pid);
    for (const [tid, ns] of before) expect(after.get(tid) ?? 0).toBeGreaterThan(ns);
  } finally {
    floor.stop();
  }
});

it("refuses a thread count it cannot run, and says what it takes", () => {
  let failure: { status?: number; stderr?: Buffer } = {};
  try {
    execFileSync(binary, ["--port", "0", "--threads", "0"], { stdio: "pipe", timeout: 5000 });
  } catch (error) {
    failure = error as typeof failure;
  }
  expect(failure.status).toBe(2);
  expect(String(failure.stderr)).toContain("--threads takes 1 to 64");
});
