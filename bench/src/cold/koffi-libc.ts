// A cold-start baseline: Node, koffi, libc loaded and the eight calls a runtime's I/O
// needs bound — and nothing else. What the FFI costs a program before it does anything.
// koffi is loaded as @ch08/mio loads it (its prebuilt addon opened directly, the cheapest
// way), so the floor stays the least a runtime can load.
import { loadKoffi } from "@ch08/mio/koffi";

const koffi = loadKoffi();

const libc = koffi.load("libc.so.6");
const bound = [
  libc.func("int socket(int, int, int)"),
  libc.func("int connect(int, const void *, uint32_t)"),
  libc.func("intptr_t read(int, void *, size_t)"),
  libc.func("intptr_t write(int, const void *, size_t)"),
  libc.func("int close(int)"),
  libc.func("int epoll_create1(int)"),
  libc.func("int epoll_ctl(int, int, int, void *)"),
  libc.func("int epoll_wait(int, void *, int, int)"),
];
process.stdout.write(`bound ${bound.length}\n`);
