/**
 * Which platforms @ch08/mio knows, decided without touching the OS (so it can be tested
 * anywhere, and so libc.ts can refuse to load with a message that names the platform).
 */

/** Struct layouts that differ between the platforms we know. */
export interface PlatformLayout {
  /** `platform-arch`, as Node names it, e.g. `linux-x64`. */
  readonly name: string;
  /** sizeof(struct epoll_event): packed on x86-64, naturally aligned elsewhere. */
  readonly epollEventSize: number;
  /** offsetof(struct epoll_event, data). */
  readonly epollDataOffset: number;
}

// x86-64 packs epoll_event for compatibility with its 32-bit ABI; aarch64 does not.
const LAYOUTS: Readonly<Record<string, PlatformLayout>> = {
  "linux-x64": { name: "linux-x64", epollEventSize: 12, epollDataOffset: 4 },
  "linux-arm64": { name: "linux-arm64", epollEventSize: 16, epollDataOffset: 8 },
};

/** The outcome of checking a platform: its layout, or why it cannot be used. */
export type PlatformCheck =
  | { readonly ok: true; readonly layout: PlatformLayout }
  | { readonly ok: false; readonly message: string };

/** Decides (without touching the OS) whether @ch08/mio can run on `platform`/`arch`. */
export function checkPlatform(
  platform: string,
  arch: string,
  byteOrder: "LE" | "BE" = "LE",
): PlatformCheck {
  const name = `${platform}-${arch}`;
  const layout = LAYOUTS[name];
  if (layout === undefined || byteOrder !== "LE") {
    const known = Object.keys(LAYOUTS).join(", ");
    return {
      ok: false,
      message:
        `@ch08/mio does not support ${name}${byteOrder === "BE" ? " (big-endian)" : ""}: ` +
        `it calls libc directly and knows the struct layouts of ${known} only. ` +
        "Add this platform's constants and layouts to mio/src/sys/libc.ts to port it.",
    };
  }
  return { ok: true, layout };
}
