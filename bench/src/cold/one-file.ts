// Stage d's one-request program (one-request-d.ts) as one file: `pnpm build` bundles it
// with rolldown into one-file/, stage d and the shared packages inside. Not how the
// stage ships (the bench README says why): a measurement of what loading the ES module
// graph file by file costs the same program at start-up. It is imported, not run: stage
// d's main.js is inside the bundle, and run directly the bundle would be the program
// main.js checks for, so it would run the book's example instead.
await import(new URL("./one-file/one-request-d.js", import.meta.url).href);
