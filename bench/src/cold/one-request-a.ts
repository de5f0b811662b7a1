// Stage a's smallest program, as a reader would write it: one request, print its status
// line, exit. Run start to exit, it is the stage's start-up cost.
import { Http, Runtime } from "@ch08/a-runtime";

const runtime = new Runtime();
try {
  const response = runtime.blockOn(Http.get(process.argv[2] ?? "/0/x"));
  process.stdout.write(`${response.split("\r\n")[0]}\n`);
} finally {
  runtime.close();
}
