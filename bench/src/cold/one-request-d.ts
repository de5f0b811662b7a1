// Stage d's smallest program on its single-threaded runtime, as a reader would write it:
// one request, print its status line, exit. No reactor thread — the executor waits in
// epoll_wait itself — so its start-up cost is held against bare node, not node + Worker.
import { Http, initSingleThreaded } from "@ch08/d-thread-poll-server";

const runtime = initSingleThreaded({ verbose: false });
try {
  const response = runtime.executor.blockOn(Http.get(process.argv[2] ?? "/0/x"));
  process.stdout.write(`${response.split("\r\n")[0]}\n`);
} finally {
  runtime.close();
}
