import { HttpGetFuture, type Reactor } from "@ch08/http";
import { Token } from "@ch08/mio";
import { registry } from "./runtime.js";

/**
 * Stage a's side of the leaf future: register with the runtime's registry under one
 * fixed token (as the book does, `Token(0)`), and no wakers — any event wakes the whole
 * runtime, which polls the whole future tree again.
 */
const leafReactor: Reactor<void> = {
  nextId: () => 0,
  register: (stream, id, interest) => registry().register(stream, Token(id), interest),
  reregister: (stream, id, interest) => registry().reregister(stream, Token(id), interest),
  setWaker: () => {},
  deregister: (stream) => registry().deregister(stream),
};

/** The book's `Http`: `Http.get(path)` is a future of the whole response as text. */
export const Http = {
  /** A lazy `GET {path}` to the delayserver; needs a running runtime. */
  get(path: string): HttpGetFuture<void> {
    return new HttpGetFuture(path, leafReactor);
  },
};
