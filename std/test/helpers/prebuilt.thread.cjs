// A prebuilt thread bundle in miniature (the build makes real ones with
// scripts/bundle-thread.mjs): the thread runs here instead of loading prebuilt.js, and
// its `mark` writes 2. std is ES modules only, so it is imported, not required.
const { pathToFileURL } = require("node:url");

const self = pathToFileURL(__filename).href.replace(/\.thread\.cjs$/, ".js");
import(new URL("../../dist/index.js", pathToFileURL(__filename)).href).then(({ runThread }) =>
  runThread((module, exportName) => {
    if (module !== self || exportName !== "mark")
      throw new Error(`${module} is not in this bundle`);
    return (buffer) => Atomics.store(new Int32Array(buffer), 0, 2);
  }),
);
