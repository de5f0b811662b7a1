/*
 * The futex mutex the other models take for granted (runtime/mutex.ts, Drepper's
 * "Futexes Are Tricky" mutex 2): the ready queue and the waker table sit behind it, and
 * wake.pml and reactor.pml model its critical sections as `atomic` blocks. This checks
 * that they may: one holder at a time (the assertion), and no thread left asleep in
 * Atomics.wait while the lock is free (an invalid end state).
 *
 * Bad variant (-D): UNLOCK_WITHOUT_NOTIFY, an unlock that forgets to wake a waiter.
 */

#define THREADS 3   /* three threads make "locked with waiters" (2) reachable with a queue */
#define ROUNDS  2   /* each locks twice: a thread can come back while others sleep */

#define UNLOCKED 0
#define LOCKED   1
#define CONTENDED 2  /* locked, and a thread may be asleep on the cell */

byte cell = UNLOCKED;        /* the mutex's one Int32Array cell */
bool asleep[THREADS];        /* on Atomics.wait's waiter list for that cell */
byte holders = 0;            /* threads inside the critical section */

/* Atomics.compareExchange(cell, expected, replacement), returning the old value. */
inline compareExchange(expected, replacement, old) {
  atomic { old = cell; if :: cell == expected -> cell = replacement :: else -> skip fi }
}

/* Atomics.wait(cell, CONTENDED): sleeps only if the cell still reads CONTENDED. */
inline waitWhileContended(me) {
  atomic { if :: cell == CONTENDED -> asleep[me] = true :: else -> skip fi };
  !asleep[me]
}

/* Atomics.notify(cell, 1): wakes one sleeper, any of them. */
inline notifyOne() {
  atomic {
    if
    :: asleep[0] -> asleep[0] = false
    :: asleep[1] -> asleep[1] = false
    :: asleep[2] -> asleep[2] = false
    :: else -> skip
    fi
  }
}

/* Mutex.lock: take it if free; else mark it contended and sleep until it may be free. */
inline lock(me, state, old) {
  compareExchange(UNLOCKED, LOCKED, state);
  if
  :: state == UNLOCKED -> skip
  :: else ->
    do
    :: if
       :: state == CONTENDED -> waitWhileContended(me)
       :: else ->
         compareExchange(LOCKED, CONTENDED, old);
         if :: old != UNLOCKED -> waitWhileContended(me) :: else -> skip fi
       fi;
       /* taken as CONTENDED: this thread cannot know whether others still sleep */
       compareExchange(UNLOCKED, CONTENDED, state);
       if :: state == UNLOCKED -> break :: else -> skip fi
    od
  fi
}

/* Mutex.unlock: Atomics.sub(cell, 1); if it was CONTENDED, store UNLOCKED and notify one. */
inline unlock(old) {
  atomic { old = cell; cell = cell - 1 };
  if
  :: old != LOCKED ->
    cell = UNLOCKED;
#ifndef UNLOCK_WITHOUT_NOTIFY
    notifyOne()
#else
    skip
#endif
  :: else -> skip
  fi
}

active [THREADS] proctype Locker() {
  byte round = 0, state, old;
  do
  :: round < ROUNDS ->
    lock(_pid, state, old);
    holders++;
    assert(holders == 1);
    holders--;
    unlock(old);
    round++
  :: else -> break
  od
}
