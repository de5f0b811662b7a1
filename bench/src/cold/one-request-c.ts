// Stage c's smallest program, as a reader would write it: one request, print its status
// line, exit. Run start to exit, it is the stage's start-up cost (reactor thread included).
import { Http, runtime } from "@ch08/c-runtime-executor";

const response = runtime.init().blockOn(Http.get(process.argv[2] ?? "/0/x"));
process.stdout.write(`${response.split("\r\n")[0]}\n`);
