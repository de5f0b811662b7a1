// The cold-start floor of a runtime with a reactor thread: Node, one Worker, and koffi
// with libc loaded and eight calls bound in both threads (each thread's heap needs its
// own bindings). What stages b and c cannot start without, before any of their own code.
import { Worker } from "node:worker_threads";
import "./koffi-libc.js";

new Worker(new URL("./koffi-libc.js", import.meta.url));
