// Jobs a Spawner names by module and export (plain JavaScript: worker threads import it as is).
// They report on a BroadcastChannel named in their arguments: posting needs no event loop.
import { BroadcastChannel } from "node:worker_threads";
import { ready } from "../../dist/future.js";

/** Posts `message` on the channel `name`, from whichever thread runs the job. */
function report(name, message) {
  const channel = new BroadcastChannel(name);
  channel.postMessage(message);
  channel.close();
}

/** A job that reports `value` and the thread it ran on, then is done. */
export function echo(name, value) {
  return {
    poll() {
      report(name, { value });
      return ready(undefined);
    },
  };
}

/** A job that blocks its whole executor thread for `ms`: nothing else runs on it meanwhile. */
export function blockThread(name, ms) {
  return {
    poll() {
      report(name, "blocked");
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      report(name, "unblocked");
      return ready(undefined);
    },
  };
}

/** A job whose export throws instead of returning a future: only this job may fail. */
export function throws() {
  throw new Error("job export threw");
}

/** A job whose export returns a Promise, which is no future: only this job may fail. */
export function returnsPromise() {
  return Promise.resolve("not a future");
}
