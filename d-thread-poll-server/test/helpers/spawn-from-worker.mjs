// A plain worker thread, outside any runtime, that spawns a job on the server through a Spawner.
import { workerData } from "node:worker_threads";
import { Spawner } from "../../dist/spawner.js";

const { handle, module, channel } = workerData;
new Spawner(handle).spawn(module, "echo", channel, "from a worker");
