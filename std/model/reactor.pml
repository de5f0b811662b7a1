/*
 * The leaf future against the reactor (http/src/http-get-future.ts against stage c's
 * runtime/event-loop.ts and runtime/wakers.ts), with the executor of executor.pml
 * around it: the future stores its waker and registers its socket; the reactor thread
 * takes the socket's event from epoll_wait, looks the waker up and wakes it; the future
 * removes its waker and deregisters when done.
 *
 * Checked: the answer is never lost — the executor is not left asleep (invalid end
 * state) and the future finishes once the whole answer came (LTL, `pan -a`) — in every
 * interleaving, the server answering at once included.
 *
 * Bad variants (-D): WAKER_AFTER_REGISTER (the bug fixed in 560ce06), WAKER_CLEARED_
 * WHILE_POLLING (a later poll that forgets the old waker before storing the new one:
 * the window http-get-future.ts says it does not have), and those of wake.pml.
 */
#define CAPACITY 1  /* one slot: spawn fills it, so a wake can overflow it */
#include "wake.pml"

#define PARTS 2  /* the answer arrives in two pieces: two edges, two wakes */

bool requested = false;   /* the request is written: the server may answer from now on */
byte sent = 0;            /* pieces the server sent */
byte unread = 0;          /* pieces in the socket's receive buffer */
bool registered = false;  /* epoll watches the socket, edge-triggered (mio's default) */
bool event = false;       /* the socket is on epoll's ready list: epoll_wait will return it */
bool stored = false;      /* the waker table holds the future's waker (WakerTable.set) */
bool finished = false;    /* the future was polled and returned its answer */

/* Registry.register: epoll_ctl(ADD) reports readiness that is already there at once. */
inline register() {
  atomic { registered = true; if :: unread > 0 -> event = true :: else -> skip fi }
}

/* The delayserver answering /0/...: as soon as the request is in, possibly before the
 * future has registered the socket. Each piece is an edge while the socket is watched. */
active proctype Server() {
  requested;
  do
  :: sent < PARTS ->
    atomic { sent++; unread++; if :: registered -> event = true :: else -> skip fi }
  :: else -> break
  od
}

/* event-loop.ts: poll.poll(events); for each event, wakers.wake(token, wake). The lookup
 * is under the table's mutex; the wake happens after it is released, so a waker removed
 * in between is still woken (a late wake, which the executor ignores). */
active proctype Reactor() {
  bool found;
end:
  do
  :: atomic { event -> event = false };
    atomic { found = stored };
    if
    :: found -> wake(0)
    :: else -> skip   /* no waker: the event is dropped (Control.DROPPED) */
    fi
  od
}

/* Executor.blockOn(Http.get(...)): one task, id 0, polled as HttpGetFuture.poll. */
active proctype Executor() {
  byte live = 1, woken, got = 0, was;
  bool started = false;
  push(0);   /* spawn */
  do
  :: do
     :: drain(woken, live);
        if
        :: woken == 0 -> break
        :: (woken & live) != 0 ->
          if
          :: !started ->
            /* start(): connect and write the request (it fits at once), then: */
            started = true;
            requested = true;
#ifndef WAKER_AFTER_REGISTER
            stored = true;   /* reactor.setWaker(waker, id) ... */
            register()       /* ... before reactor.register(stream, READABLE, id) */
#else
            register();
            stored = true
#endif
          :: else ->
#ifdef WAKER_CLEARED_WHILE_POLLING
            stored = false;
#endif
            /* readResponse: read until WOULD_BLOCK (atomic: a piece that lands after the
             * last read is a new edge, so it is not lost by splitting the loop) */
            atomic { got = got + unread; unread = 0 };
            if
            :: got == PARTS ->
              /* close(): deregister removes the waker, then epoll_ctl(DEL) */
              stored = false;
              atomic { registered = false; event = false };
              finished = true;
              live = 0
            :: else -> stored = true   /* setWaker again: always the most recent waker */
            fi
          fi
        :: else -> skip   /* a late wake of the finished task */
        fi
     od;
     if
     :: live == 0 -> break
     :: else -> park(was)
     fi
  od
}

ltl no_lost_wake { [] (sent == PARTS -> <> finished) }
