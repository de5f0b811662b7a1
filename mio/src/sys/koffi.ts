/**
 * Loads koffi for `sys/libc.ts`, the cheap way first. koffi's own entry point costs about
 * 12 ms of CPU in each thread that loads it here: it reads the node binary's ELF header to
 * tell glibc from musl, resolves its platform package, and wraps a few deprecated calls.
 * Opening its prebuilt addon directly costs about 4 ms, and a stage c program loads koffi
 * twice (main thread and reactor thread), so this is a good share of its start-up.
 */
import { createRequire } from "node:module";
import type * as Koffi from "koffi";

// The glibc builds in koffi's platform packages (@koromix/koffi-linux-x64 and -arm64),
// the two platforms `sys/platform.ts` knows. musl, and any other, go through koffi itself.
const PREBUILT: Record<string, string> = {
  "linux-x64": "linux_x64",
  "linux-arm64": "linux_arm64",
};

/** koffi's API: its prebuilt glibc addon opened directly, else `require("koffi")`. */
export function loadKoffi(): typeof Koffi {
  return openPrebuilt() ?? (createRequire(import.meta.url)("koffi") as typeof Koffi);
}

// The platform package sits beside koffi in whichever node_modules holds koffi (pnpm's
// store or npm's flat tree alike), so walk up from this file as Node's resolution does.
// The path goes through the `koffi` link and back out with `..`, which dlopen resolves
// in the kernel, after the link, so no node:fs call is needed to find the real folder.
/** koffi's prebuilt glibc addon for this platform, opened directly; undefined if not found. */
export function openPrebuilt(): typeof Koffi | undefined {
  const folder = PREBUILT[`${process.platform}-${process.arch}`];
  if (folder === undefined) return undefined;
  const addon = `koffi/../@koromix/koffi-${process.platform}-${process.arch}/${folder}/koffi.node`;
  let dir = new URL(".", import.meta.url).pathname;
  for (;;) {
    const module = { exports: {} as typeof Koffi };
    try {
      process.dlopen(module, `${dir}node_modules/${addon}`);
      return module.exports;
    } catch {
      // Not in this node_modules (or not loadable): try the one above.
    }
    const parent = dir.replace(/[^/]+\/$/, "");
    if (parent === dir) return undefined;
    dir = parent;
  }
}
