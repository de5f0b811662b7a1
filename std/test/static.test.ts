import { describe, expect, it } from "vitest";
import {
  createThreadTable,
  OutsideRuntimeError,
  Static,
  serviceState,
  spawn,
  spawnService,
} from "../dist/index.js";

// Rust's `static REACTOR: OnceLock<Reactor>`, for threads that share no module state: the
// thread that starts the service makes its handle, and threads it spawns reach the same one.

const threads = new URL("./helpers/threads.mjs", import.meta.url);

interface ProbeHandle {
  readonly threads: SharedArrayBuffer;
  readonly state: SharedArrayBuffer;
  readonly marker: SharedArrayBuffer;
}

describe("Static", () => {
  it("starts its service once; a thread spawned from here attaches to it instead of starting one", () => {
    const probe = new Static("probe", (handle: ProbeHandle) => ({ handle }));
    expect(() => probe.get()).toThrow(OutsideRuntimeError);
    let launches = 0;
    const launch = () => {
      launches++;
      const handle = {
        threads: createThreadTable(),
        state: serviceState(),
        marker: new SharedArrayBuffer(4),
      };
      const state = new Int32Array(handle.state);
      const service = spawnService(threads, "serveUntilStopped", {
        name: "probe",
        args: [handle.state],
        state: handle.state,
        wake: () => Atomics.notify(state, 1),
        release: () => {},
      });
      return { handle, service };
    };
    const handle = probe.start(launch);
    try {
      expect(probe.start(launch)).toBe(handle);
      expect(launches).toBe(1);
      expect(probe.get().handle).toBe(handle);
      expect(probe.failure()).toBeUndefined();
      // The child's own Static throws if asked to launch: it must find this handle.
      spawn(threads, "attachToProbe", { name: "child" }).join(10_000);
      expect(Atomics.load(new Int32Array(handle.marker), 0)).toBe(1);
    } finally {
      probe.stop();
    }
    expect(() => probe.get()).toThrow(OutsideRuntimeError);
    expect(() => probe.handle()).toThrow(OutsideRuntimeError);
  });
});
