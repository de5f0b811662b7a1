import { HttpGetFuture, type Reactor } from "@ch08/http";
import { reactor, type Waker } from "./runtime.js";

/**
 * CHANGED from stage a: the reactor, not a bare registry. Each future has its own token and
 * stores its latest waker, so the reactor thread wakes exactly the right task.
 */
const leafReactor: Reactor<Waker> = {
  nextId: () => reactor().nextId(),
  register: (stream, id, interest) => reactor().register(stream, id, interest),
  reregister: (stream, id, interest) => reactor().reregister(stream, id, interest),
  setWaker: (waker, id) => reactor().setWaker(waker, id),
  deregister: (stream, id) => reactor().deregister(stream, id),
  removeWaker: (id) => reactor().removeWaker(id),
};

/** The book's `Http`: `Http.get(path)` is a future of the whole response as text. */
export const Http = {
  /** A lazy `GET {path}` to the delayserver; needs a running runtime. */
  get(path: string): HttpGetFuture<Waker> {
    return new HttpGetFuture(path, leafReactor);
  },
};
