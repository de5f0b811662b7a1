import { existsSync, readFileSync, writeFileSync } from "node:fs";

const START = "<!-- results:start (written by pnpm bench) -->";
const END = "<!-- results:end -->";

/** Replaces what stands between the results markers of `path` with `markdown`; false if there are no markers. */
export function updateReadme(path: string, markdown: string): boolean {
  if (!existsSync(path)) return false;
  const text = readFileSync(path, "utf8");
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) return false;
  writeFileSync(path, `${text.slice(0, from + START.length)}\n${markdown}\n${text.slice(to)}`);
  return true;
}
