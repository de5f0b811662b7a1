/** Chooses and rebuilds selectors: the only module that names every backend. */
import { EpollSelector } from "./epoll.js";
import { PollSelector } from "./poll.js";
import type { BackendName, Selector, SelectorHandle } from "./selector.js";

/** Options a backend may take at creation. */
export interface SelectorOptions {
  /** poll(2) backend only: the largest fd + 1 its shared table can hold. */
  readonly capacity?: number;
}

/** Which backend `new Poll()` uses: the option, else MIO_BACKEND, else epoll. */
export function chooseBackend(requested: string | undefined, env: string | undefined): BackendName {
  const name = requested ?? (env === undefined || env === "" ? "epoll" : env);
  if (name === "epoll" || name === "poll") return name;
  throw new Error(
    `unknown mio backend "${name}" (MIO_BACKEND / { backend }): use "epoll" or "poll"`,
  );
}

/** Creates a fresh selector of the given backend. */
export function createSelector(backend: BackendName, options: SelectorOptions): Selector {
  if (backend === "epoll") return EpollSelector.create();
  return PollSelector.create(options.capacity);
}

/** Rebuilds a selector (on any thread) from its handle. */
export function selectorFromHandle(handle: SelectorHandle): Selector {
  if (handle.backend === "epoll") return EpollSelector.fromHandle(handle);
  return PollSelector.fromHandle(handle);
}
