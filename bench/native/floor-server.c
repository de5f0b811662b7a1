// The floor of section 8: the delayserver's work done in C, with nothing between the
// program and the kernel. GET /{delay_ms}/{message} is answered with the message after the
// delay, with the same headers as stage d's server, over HTTP/1.1 keep-alive. It answers
// the question the bench's misses raise: is a figure bounded by our runtime, or by this
// machine and wrk sharing its cores? What this program cannot reach here, no server of
// stage d's design can, in any language.
//
// Its design is stage d's single-threaded runtime with the runtime taken out: one epoll
// instance (edge-triggered), a binary min-heap of deadlines bounding epoll_wait's timeout,
// at most 64 due timers fired between two waits, and a connection that answers its
// requests one at a time, in order.
//
// With --threads N, N such loops run, each on a thread with a listener of its own bound to
// the same port (SO_REUSEPORT: the kernel deals the connections out among them) and
// nothing shared: no hand-over, no lock, no wake between threads. No server of N threads
// spends less per request than that, so it is the ceiling of stage d's multi-threaded one.
//
// Left out, as the bench does not exercise them: percent-decoding of the message, the
// keep-alive timeout, the log, and a clean drain on SIGINT (it exits at once).
//
// Build and run (the bench does both):
//   cc -O2 -pthread -o floor-server floor-server.c && ./floor-server --port 8090 [--threads 2]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { IN_CAP = 8192, OUT_CAP = 8192, MESSAGE_CAP = 256, EVENTS = 1024 };

/** The most timers fired between two epoll_waits, as stage d's TIMERS_PER_WAKE, for the same reason. */
enum { TIMERS_PER_WAKE = 64 };

/** One client: bytes read but not yet answered, bytes owed but not yet written. */
typedef struct {
  /** -1 once closed. */
  int fd;
  /** Bumped when the fd is closed, so a timer set for an earlier client of the same fd is ignored. */
  unsigned generation;
  /** A request is waiting on its delay: the next one is not parsed until it is answered. */
  int held;
  char in[IN_CAP];
  int in_len;
  char out[OUT_CAP];
  int out_len;
} Conn;

/** A held request's deadline. */
typedef struct {
  long long at_us;
  int fd;
  unsigned generation;
  char message[MESSAGE_CAP];
} Timer;

// Each thread's own: a thread serves only the connections its own listener accepted.
static __thread Conn **conns; /* by fd */
static __thread int conns_cap;
static __thread Timer *heap;
static __thread int heap_len, heap_cap;
static __thread char date_header[64];
static __thread time_t date_second = -1;

static long long now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void heap_push(const Timer *timer) {
  if (heap_len == heap_cap) {
    heap_cap = heap_cap ? heap_cap * 2 : 1024;
    heap = realloc(heap, (size_t)heap_cap * sizeof *heap);
    if (heap == NULL) die("realloc");
  }
  int i = heap_len++;
  heap[i] = *timer;
  while (i > 0) {
    int parent = (i - 1) / 2;
    if (heap[parent].at_us <= heap[i].at_us) break;
    Timer swap = heap[parent];
    heap[parent] = heap[i];
    heap[i] = swap;
    i = parent;
  }
}

static Timer heap_pop(void) {
  Timer top = heap[0];
  heap[0] = heap[--heap_len];
  for (int i = 0;;) {
    int left = 2 * i + 1, right = left + 1, least = i;
    if (left < heap_len && heap[left].at_us < heap[least].at_us) least = left;
    if (right < heap_len && heap[right].at_us < heap[least].at_us) least = right;
    if (least == i) break;
    Timer swap = heap[least];
    heap[least] = heap[i];
    heap[i] = swap;
    i = least;
  }
  return top;
}

/** The Date header's value, formatted once a second as Node and stage d do. */
static const char *http_date(void) {
  time_t now = time(NULL);
  if (now != date_second) {
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date_header, sizeof date_header, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    date_second = now;
  }
  return date_header;
}

static void close_conn(Conn *c) {
  close(c->fd);
  c->fd = -1;
  c->generation++;
  c->held = 0;
  c->in_len = 0;
  c->out_len = 0;
}

/** Writes what is owed; what the socket does not take waits for its next EPOLLOUT edge. */
static void flush(Conn *c) {
  int sent = 0;
  while (sent < c->out_len) {
    ssize_t n = write(c->fd, c->out + sent, (size_t)(c->out_len - sent));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) {
      close_conn(c);
      return;
    }
    sent += (int)n;
  }
  memmove(c->out, c->out + sent, (size_t)(c->out_len - sent));
  c->out_len -= sent;
}

static void respond(Conn *c, int status, const char *body) {
  if (c->fd < 0) return;
  const char *reason = status == 200 ? "OK" : "Bad Request";
  int room = OUT_CAP - c->out_len;
  int n = snprintf(c->out + c->out_len, (size_t)room,
                   "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                   "Content-Length: %zu\r\nDate: %s\r\nConnection: keep-alive\r\n"
                   "Keep-Alive: timeout=5\r\n\r\n%s",
                   status, reason, strlen(body), http_date(), body);
  if (n < 0 || n >= room) {
    // A client that asks and never reads: drop it rather than let it grow without bound.
    close_conn(c);
    return;
  }
  c->out_len += n;
  flush(c);
}

/** Answers or holds each whole request in the buffer, in order; stops at a held one. */
static void serve(Conn *c) {
  while (!c->held && c->fd >= 0) {
    char *end = memmem(c->in, (size_t)c->in_len, "\r\n\r\n", 4);
    if (end == NULL) {
      if (c->in_len == IN_CAP) close_conn(c); /* headers too large */
      return;
    }
    int used = (int)(end + 4 - c->in);
    char *p = c->in;
    char *line_end = memchr(p, '\r', (size_t)used);
    long delay = -1;
    char message[MESSAGE_CAP] = "";
    if (strncmp(p, "GET /", 5) == 0) {
      char *after;
      delay = strtol(p + 5, &after, 10);
      char *start = after + 1;
      char *space = after == p + 5 || *after != '/' || start >= line_end
                        ? NULL
                        : memchr(start, ' ', (size_t)(line_end - start));
      if (delay >= 0 && space != NULL && space - start < MESSAGE_CAP) {
        memcpy(message, start, (size_t)(space - start));
        message[space - start] = 0;
      } else {
        delay = -1;
      }
    }
    memmove(c->in, c->in + used, (size_t)(c->in_len - used));
    c->in_len -= used;
    if (delay < 0) {
      respond(c, 400, "expected GET /{delay_ms}/{message}\n");
    } else if (delay == 0) {
      respond(c, 200, message);
    } else {
      Timer timer = {now_us() + delay * 1000, c->fd, c->generation, ""};
      memcpy(timer.message, message, sizeof message);
      heap_push(&timer);
      c->held = 1;
    }
  }
}

/** Reads until the socket would block, then serves what came. */
static void on_ready(Conn *c) {
  if (c->out_len > 0) flush(c);
  for (;;) {
    if (c->in_len == IN_CAP) break;
    ssize_t n = read(c->fd, c->in + c->in_len, (size_t)(IN_CAP - c->in_len));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) {
      close_conn(c);
      return;
    }
    c->in_len += (int)n;
  }
  serve(c);
}

static Conn *conn_for(int fd) {
  if (fd >= conns_cap) {
    int cap = conns_cap ? conns_cap : 1024;
    while (cap <= fd) cap *= 2;
    conns = realloc(conns, (size_t)cap * sizeof *conns);
    if (conns == NULL) die("realloc");
    memset(conns + conns_cap, 0, (size_t)(cap - conns_cap) * sizeof *conns);
    conns_cap = cap;
  }
  if (conns[fd] == NULL && (conns[fd] = calloc(1, sizeof(Conn))) == NULL) die("calloc");
  conns[fd]->fd = fd;
  return conns[fd];
}

static void on_stop(int signal_number) {
  (void)signal_number;
  _exit(0);
}

/** A listener on 127.0.0.1:`port` (0: any free port) that other threads may bind beside. */
static int listen_on(int port) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listener < 0) die("socket");
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(listener, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0) die("bind");
  if (listen(listener, 65535) < 0) die("listen");
  return listener;
}

/** One thread's event loop: accept on its own listener, serve what it accepted. */
static void *serve_loop(void *arg) {
  int listener = (int)(long)arg;
  int epoll = epoll_create1(EPOLL_CLOEXEC);
  if (epoll < 0) die("epoll_create1");
  struct epoll_event event = {.events = EPOLLIN, .data.fd = listener};
  if (epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event) < 0) die("epoll_ctl");

  struct epoll_event events[EVENTS];
  for (;;) {
    int timeout = -1;
    if (heap_len > 0) {
      // Rounded up: epoll_wait counts whole ms, and a held answer must never be early.
      long long left = heap[0].at_us - now_us();
      timeout = left <= 0 ? 0 : (int)((left + 999) / 1000);
    }
    int n = epoll_wait(epoll, events, EVENTS, timeout);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd != listener) {
        if (fd < conns_cap && conns[fd] != NULL && conns[fd]->fd >= 0) on_ready(conns[fd]);
        continue;
      }
      for (;;) {
        int client = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client < 0) break;
        Conn *c = conn_for(client);
        struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                                .data.fd = client};
        if (epoll_ctl(epoll, EPOLL_CTL_ADD, client, &e) < 0) {
          close_conn(c);
          continue;
        }
        on_ready(c);
      }
    }
    long long now = now_us();
    for (int fired = 0; fired < TIMERS_PER_WAKE && heap_len > 0 && heap[0].at_us <= now; fired++) {
      Timer timer = heap_pop();
      Conn *c = conns[timer.fd];
      if (c == NULL || c->generation != timer.generation) continue;
      c->held = 0;
      respond(c, 200, timer.message);
      serve(c);
    }
  }
  return NULL; // never reached: the loop ends with the process
}

int main(int argc, char **argv) {
  int port = 8090;
  int threads = 1;
  for (int i = 1; i + 1 < argc; i++) {
    if (strcmp(argv[i], "--port") == 0) port = atoi(argv[i + 1]);
    if (strcmp(argv[i], "--threads") == 0) threads = atoi(argv[i + 1]);
  }
  if (threads < 1 || threads > 64) {
    fprintf(stderr, "floor-server: --threads takes 1 to 64\n");
    return 2;
  }
  signal(SIGINT, on_stop);
  signal(SIGTERM, on_stop);
  signal(SIGPIPE, SIG_IGN);

  // The first listener picks the port; the others bind to it, before any thread serves.
  int listeners[64];
  listeners[0] = listen_on(port);
  struct sockaddr_in address;
  socklen_t length = sizeof address;
  getsockname(listeners[0], (struct sockaddr *)&address, &length);
  for (int t = 1; t < threads; t++) listeners[t] = listen_on(ntohs(address.sin_port));
  printf("listening on http://127.0.0.1:%d\n", ntohs(address.sin_port));
  fflush(stdout);

  for (int t = 1; t < threads; t++) {
    pthread_t thread;
    if (pthread_create(&thread, NULL, serve_loop, (void *)(long)listeners[t]) != 0) {
      die("pthread_create");
    }
  }
  serve_loop((void *)(long)listeners[0]);
  return 0;
}
