/*
 * The executor's loop against wakers on other threads (stage c's runtime/executor.ts):
 * drain the ready queue, poll the woken tasks, and park when a drain finds nothing —
 * while another thread wakes a task by pushing its id and unparking the executor.
 *
 * Checked: the executor never sleeps forever while a task it holds has been woken
 * (an invalid end state at `asleep`), and every task whose answer came is polled again
 * and finishes (the LTL property, with `pan -a`).
 *
 * Bad variants (-D): UNPARK_BEFORE_PUSH, PARK_WITHOUT_TOKEN (both in wake.pml).
 */
#include "wake.pml"

#define TASKS 2
#define ALL   3      /* (1 << TASKS) - 1: every task */

bool answered[TASKS];  /* the task's event happened: its next poll finds it ready */
bool finished[TASKS];  /* the executor polled it after that, and it was ready */

/*
 * Executor.blockOn: both tasks are spawned first (spawn() pushes each id), then run():
 * pollReadyTasks until a drain is empty, stop when no task is left, else park.
 * `live` is exec.tasks as a bit set; `woken` is the round's `ready` list.
 */
active proctype Executor() {
  byte live = ALL, woken, i, was;
  push(0);
  push(1);
  do
  :: do  /* pollReadyTasks: rounds until a drain finds no id */
     :: drain(woken, live);
        if
        :: woken == 0 -> break
        :: else ->
          i = 0;
          do
          :: i < TASKS ->
            if
            /* a finished task's late wake finds nothing to do (tasks.get(id) === undefined) */
            :: (woken & (1 << i)) != 0 && (live & (1 << i)) != 0 ->
              /* pollTask: the future reads what is there; ready once its answer came */
              if
              :: answered[i] -> finished[i] = true; live = live & ~(1 << i)
              :: else -> skip
              fi
            :: else -> skip
            fi;
            i++
          :: else -> break
          od
        fi
     od;
     if
     :: live == 0 -> break   /* "All tasks are finished" */
     :: else -> park(was)
     fi
  od
}

/*
 * One thread per task that wakes it once its event happened: the reactor thread
 * (storedWaker) or another executor's task (Waker.wake). Two processes rather than one
 * reactor waking both in turn: a superset of the interleavings, so a stricter check.
 */
active [TASKS] proctype Waker() {
  byte id = _pid - 1;   /* Executor is pid 0 */
  answered[id] = true;
  wake(id)
}

ltl no_lost_wake { [] ((answered[0] -> <> finished[0]) && (answered[1] -> <> finished[1])) }
