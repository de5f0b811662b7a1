// A module loader hook for start-up.test.ts: prints every module a program loads on stderr.
export async function load(url, context, nextLoad) {
  process.stderr.write(`loaded ${url}\n`);
  return nextLoad(url, context);
}
