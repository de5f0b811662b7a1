// A module that cannot load: what a thread entry meets in a broken build.
import { noSuchThing } from "./threads.mjs";

export function run() {
  return noSuchThing;
}
