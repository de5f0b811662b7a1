/*
 * What every model shares: the executor thread's park token, its ready queue, and a
 * wake (push the task's id, then unpark). Included by executor.pml and reactor.pml;
 * it declares no process of its own.
 *
 * Abstractions (see README.md):
 * - The queue's Mutex (runtime/mutex.ts) is an `atomic` block: every read and write of
 *   the queue's cells happens while it is held, so no other thread sees a half-done push
 *   or drain. Whether the futex mutex itself is right is not this model's question.
 * - One executor thread, so one park-token cell and one queue.
 */

#define EMPTY    0   /* thread.ts EMPTY: no unpark is pending */
#define NOTIFIED 1   /* thread.ts NOTIFIED: an unpark is waiting to be consumed */

#ifndef CAPACITY
#define CAPACITY 2   /* ready-queue.ts QUEUE_CAPACITY, made tiny so the overflow path runs */
#endif

byte token = EMPTY;     /* the executor's cell in the park-token table */
bool waiting = false;   /* the executor is on Atomics.wait's waiter list for that cell */

byte queue[CAPACITY];   /* ready-queue.ts cells HEADER.. (task ids) */
byte length = 0;        /* ready-queue.ts LENGTH */
bool overflow = false;  /* ready-queue.ts OVERFLOW: a wake did not fit, poll every task */

/* ReadyQueue.push(id), under the queue's mutex. */
inline push(id) {
  atomic {
    if
    :: length < CAPACITY -> queue[length] = id; length++
    :: else -> overflow = true
    fi
  }
}

/*
 * ReadyQueue.drainInto: moves the queued ids into the bit set `woken` (a set, because
 * the executor polls a task once per round however often it was woken: Task.round) and
 * reports an overflow as every task woken (`all`, a mask of the live tasks).
 */
inline drain(woken, all) {
  atomic {
    woken = 0;
    do
    :: length > 0 -> length--; woken = woken | (1 << queue[length]); queue[length] = 0
    :: else -> break
    od;
    if
    :: overflow -> overflow = false; woken = woken | all
    :: else -> skip
    fi
  }
}

/*
 * Thread.unpark / unparkSlot: Atomics.store(NOTIFIED), then Atomics.notify(1). Two steps,
 * as in the code: the executor may run between them.
 * PARK_WITHOUT_TOKEN (a known bad design): unpark only notifies, nothing is remembered.
 */
inline unpark() {
#ifndef PARK_WITHOUT_TOKEN
  token = NOTIFIED;
#endif
  atomic { if :: waiting -> waiting = false :: else -> skip fi }
}

/*
 * Thread.park(), with no timeout (blockOn without a deadline):
 *   if (Atomics.exchange(cell, EMPTY) === NOTIFIED) return;   -- a pending unpark
 *   Atomics.wait(cell, EMPTY);   -- sleeps only if the cell is still EMPTY
 *   Atomics.exchange(cell, EMPTY);
 * Atomics.wait compares and joins the waiter list in one step (the futex guarantee),
 * so it is one atomic block; the sleep itself is the blocking `!waiting`. A park that
 * never returns leaves the executor blocked at `asleep`: an invalid end state.
 * PARK_WITHOUT_TOKEN: park sleeps whatever happened before it.
 */
inline park(was) {
#ifndef PARK_WITHOUT_TOKEN
  atomic { was = token; token = EMPTY };
  if
  :: was == NOTIFIED -> skip
  :: else ->
    atomic { if :: token == EMPTY -> waiting = true :: else -> skip fi };
asleep:
    !waiting;
    atomic { was = token; token = EMPTY }
  fi
#else
  waiting = true;
asleep:
  !waiting
#endif
}

/*
 * Waker.wake and the reactor's storedWaker: push the task's id, then unpark its executor.
 * UNPARK_BEFORE_PUSH (a known bad order): the executor can wake, drain an empty queue and
 * park again before the id arrives, and nothing unparks it a second time.
 */
inline wake(id) {
#ifndef UNPARK_BEFORE_PUSH
  push(id);
  unpark()
#else
  unpark();
  push(id)
#endif
}
