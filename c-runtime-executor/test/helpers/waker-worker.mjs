// A plain worker (not an executor) that wakes a task on another thread the way the
// reactor thread does — push its id on the executor's ready queue, unpark the thread —
// each wake sent the moment the executor announces that it is about to park.
import { workerData } from "node:worker_threads";
import { storedWaker } from "../../dist/runtime/reactor.js";

const { handle, shared, rounds } = workerData;
// [polls that counted a wake, thread slot, task id, "about to park" announcements,
//  the wake after which the executor was seen stuck (0: none)]
const cells = new Int32Array(shared);
const wake = storedWaker(handle);

// Wait for the task to say where it lives.
while (Atomics.load(cells, 1) === 0) Atomics.wait(cells, 1, 0, 50);
const slot = Atomics.load(cells, 1);
const task = Atomics.load(cells, 2);

let announced = 0;
for (let sent = 1; sent <= rounds; sent++) {
  // Spin, rather than sleep, so this thread reacts within a microsecond: the wake lands
  // while the executor is between "queue empty" and "asleep" — where a careless park
  // loses it.
  // A lost wake leaves the executor parked: no poll, no announcement. Generous, since on
  // a loaded machine a round can wait long for the scheduler; then the executor is told.
  const deadline = Date.now() + 20_000;
  while (Atomics.load(cells, 0) < sent - 1 || Atomics.load(cells, 3) <= announced) {
    if (Date.now() > deadline) {
      Atomics.store(cells, 4, sent);
      wake(slot, task);
      throw new Error(`the executor did not poll and go to park again within 20 s (wake ${sent})`);
    }
  }
  announced = Atomics.load(cells, 3);
  wake(slot, task);
}
