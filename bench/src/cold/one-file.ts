// Stage d's one-request program (one-request-d.ts) as one file: `pnpm build` bundles it
// with rolldown into one-file/, stage d and the shared packages inside. Not how the
// stage ships, which bundles only what no other thread loads and keeps each shared
// package its own (the bench README says why): a measurement of what loading the rest
// of the ES module graph file by file still costs the same program at start-up. The
// bench runs this file, which imports the bundle from the folder rolldown writes it to.
await import(new URL("./one-file/one-request-d.js", import.meta.url).href);
