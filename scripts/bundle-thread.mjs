// A stage package's last build step: for each module another thread starts on (the reactor
// thread's `runtime/reactor.js`, …), a prebuilt bundle beside it, `<module>.thread.cjs`:
// one CommonJS file holding a thread entry, the module and everything it imports (std,
// mio, the trace recorder), koffi aside. `spawn` (@ch08/std) starts a Worker from it when
// it is there.
//
//   node ../scripts/bundle-thread.mjs <module under dist/> [...]
//
// Why: a Worker started on an ES module pays for Node's ES module loader and for each
// file it loads; one CommonJS file spares both. By hand, whole processes in pairs: a Worker
// that loads stage c's reactor module took 0.89x the CPU from this bundle (about 8 ms
// less). Only that thread loads the bundle, so its copies of std and mio are the only
// ones on it (each thread has its own anyway: a module's state is per thread).

import { rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";

const modules = process.argv.slice(2);
if (modules.length === 0 || modules.some((module) => !module.endsWith(".js"))) {
  console.error("usage: node ../scripts/bundle-thread.mjs <module under dist/>.js [...]");
  process.exit(2);
}
// Both as the package sees them: rolldown is each stage's devDependency, std its dependency.
const requireHere = createRequire(resolve("package.json"));
const { rolldown } = requireHere("rolldown");
const std = requireHere.resolve("@ch08/std");

for (const module of modules) {
  const target = join(resolve("dist"), module);
  const name = basename(target);
  const entry = join(dirname(target), `.${name}.thread-entry.mjs`);
  // The entry serves its own module's exports and refuses any other: the thread would
  // otherwise load that one from its files, with second copies of what is bundled here.
  // The module is imported inside runThread, so that a failure to load it (koffi missing,
  // a descriptor short) is reported like any other; runThread itself never rejects.
  writeFileSync(
    entry,
    `import { runThread } from ${JSON.stringify(std)};
const self = new URL(${JSON.stringify(`./${name}`)}, import.meta.url).href;
void runThread(async (module, exportName) => {
  if (module !== self) throw new Error(\`\${module} is not in the prebuilt bundle of \${self}\`);
  return (await import(${JSON.stringify(`./${name}`)}))[exportName];
});
`,
  );
  try {
    const bundle = await rolldown({ input: entry, platform: "node", external: ["koffi"] });
    await bundle.write({
      file: target.replace(/\.js$/, ".thread.cjs"),
      format: "cjs",
      codeSplitting: false,
    });
    await bundle.close();
  } finally {
    rmSync(entry);
  }
}
