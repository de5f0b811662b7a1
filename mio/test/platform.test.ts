import { createRequire } from "node:module";
import type * as Koffi from "koffi";
import { describe, expect, it } from "vitest";
import { checkPlatform } from "../src/index.js";
import { openPrebuilt } from "../src/sys/koffi.js";

describe("platform check", () => {
  it("knows the epoll_event layouts of x86-64 (packed) and aarch64", () => {
    const x64 = checkPlatform("linux", "x64");
    const arm64 = checkPlatform("linux", "arm64");
    expect(x64.ok && x64.layout).toMatchObject({ epollEventSize: 12, epollDataOffset: 4 });
    expect(arm64.ok && arm64.layout).toMatchObject({ epollEventSize: 16, epollDataOffset: 8 });
  });

  it("refuses other platforms with a message naming them", () => {
    for (const [platform, arch] of [
      ["darwin", "arm64"],
      ["win32", "x64"],
      ["linux", "ia32"],
      ["linux", "riscv64"],
    ] as const) {
      const result = checkPlatform(platform, arch);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toContain(`does not support ${platform}-${arch}`);
    }
    const be = checkPlatform("linux", "x64", "BE");
    expect(be.ok).toBe(false);
    if (!be.ok) expect(be.message).toContain("big-endian");
  });
});

describe("loading koffi", () => {
  // The cheap path must be the one taken here: if a koffi upgrade moves its prebuilt
  // addon, mio still works through require("koffi"), only slower, and this says so.
  it("opens the prebuilt addon koffi itself would load, same version", () => {
    const viaKoffi = createRequire(import.meta.url)("koffi") as typeof Koffi;
    const direct = openPrebuilt();
    expect(direct, "koffi's prebuilt addon was not found beside it").toBeDefined();
    expect((direct as unknown as { version: string }).version).toBe(
      (viaKoffi as unknown as { version: string }).version,
    );
    const getpid = direct?.load("libc.so.6").func("int getpid(void)") as () => number;
    expect(getpid()).toBe(process.pid);
  });
});
