// Section 5: wake latency across threads. From a wake on the reactor thread (a helper
// thread writes a mio Waker's eventfd that the reactor watches under the task's token)
// to the task being polled on the parked main-thread executor; against the floor, a
// bare Atomics.notify → Atomics.wait between two threads. The same wake on stage d's
// single-threaded runtime, whose executor waits in epoll_wait itself: one hop, not two.
// One clock for all threads:
// process.hrtime (CLOCK_MONOTONIC). Then the same wakes with each thread held to a CPU:
// where the kernel puts the woken thread decides most of what a wake costs.
import { Worker } from "node:worker_threads";
import { NOT_READY, type PollState, ready, runtime } from "@ch08/c-runtime-executor";
import { initSingleThreaded, reactor as stageDReactor } from "@ch08/d-thread-poll-server";
import { Events, Interest, Waker as MioWaker, Poll, type Source, Token } from "@ch08/mio";
import { measure } from "mitata";
import { allowedCpus, holdThreadTo } from "../libc.js";
import { percentile, round } from "../stats.js";
import { Cell, type HelperData } from "./wake-protocol.js";

/** A latency distribution, µs. */
export interface LatencyRow {
  /** What was measured. */
  readonly name: string;
  /** Samples taken. */
  readonly samples: number;
  /** Median, µs. */
  readonly p50Us: number;
  /** 99th percentile, µs. */
  readonly p99Us: number;
  /** Smallest, µs. */
  readonly minUs: number;
  /** Mean, µs. */
  readonly meanUs: number;
}

/** Section 5's figures. */
export interface WakeLatency {
  /** Reactor-thread wake → task polled on the parked executor (stage c). */
  readonly runtime: LatencyRow;
  /** Atomics.notify → Atomics.wait returning on another thread, sampled the same way. */
  readonly floor: LatencyRow;
  /** The same wake on stage d's single-threaded runtime: one hop (absent in older results). */
  readonly oneThread?: LatencyRow;
  /** eventfd write → a bare mio Poll.poll (epoll_wait) returning on another thread: the reactor's hop alone. */
  readonly epollHop: LatencyRow;
  /** Both hops with no runtime: eventfd → a bare Poll.poll on a relay thread → Atomics.notify (absent in older results). */
  readonly twoHops?: LatencyRow;
  /** A hot Atomics ping-pong between two threads, mitata: round trip and half of it, µs. */
  readonly pingPong: {
    readonly roundTripUs: number;
    readonly oneWayUs: number;
    readonly samples: number;
  };
  /** runtime.p50Us / floor.p50Us. */
  readonly p50Ratio: number;
  /** runtime.p99Us / floor.p99Us. */
  readonly p99Ratio: number;
  /** Pause before each wake so the woken side is asleep, ms. */
  readonly gapMs: number;
  /** The same wakes with every thread held to a chosen CPU (absent in older results and with one CPU). */
  readonly placement?: Placement;
}

/** Wakes with the threads held to CPUs (sched_setaffinity), so the kernel cannot choose. */
export interface Placement {
  /** The CPUs used: the first two this process may run on. */
  readonly cpus: readonly [number, number];
  /** Atomics.notify → Atomics.wait, both threads on the first CPU. */
  readonly sameCpu: LatencyRow;
  /** Atomics.notify → Atomics.wait, the sleeper on the first CPU, the waker on the second. */
  readonly acrossCpus: LatencyRow;
  /** Stage c's path with the helper, the reactor thread and the executor all on the first CPU. */
  readonly runtimeOneCpu: LatencyRow;
}

/** Section 5's settings. */
export interface WakeSettings {
  readonly samples: number;
  readonly gapMs: number;
  readonly minCpuMs: number;
}

const helperUrl = new URL("./wake-helper.js", import.meta.url);

function startHelper(data: HelperData): Worker {
  const worker = new Worker(helperUrl, { workerData: data });
  worker.on("error", (error) => {
    process.stderr.write(`wake helper failed: ${error.message}\n`);
  });
  return worker;
}

function signal(cells: Int32Array, index: number): void {
  Atomics.store(cells, index, 1);
  Atomics.notify(cells, index);
}

/**
 * Gives the helper its turn, sleeps until `waker` sets FLAG, and returns the ns since the
 * helper's stamp (one sample of a wake that ends in this thread's `Atomics.wait`).
 */
function turnThenWait(cells: Int32Array, stamp: BigInt64Array, waker: string): number {
  signal(cells, Cell.TURN);
  while (Atomics.compareExchange(cells, Cell.FLAG, 1, 0) !== 1) {
    if (Atomics.wait(cells, Cell.FLAG, 0, 10_000) === "timed-out") {
      throw new Error(`${waker} did not wake us within 10 s`);
    }
  }
  return Number(process.hrtime.bigint() - Atomics.load(stamp, 0));
}

function summarize(name: string, latenciesNs: readonly number[]): LatencyRow {
  const us = latenciesNs.map((ns) => ns / 1000);
  return {
    name,
    samples: us.length,
    p50Us: round(percentile(us, 50), 3),
    p99Us: round(percentile(us, 99), 3),
    minUs: round(Math.min(...us), 3),
    meanUs: round(us.reduce((a, b) => a + b, 0) / Math.max(1, us.length), 3),
  };
}

/** What a probe asks of a reactor: stage c's and stage d's offer the same calls. */
interface ProbeReactor<W> {
  nextId(): number;
  register(source: Source, id: number, interest: Interest): void;
  reregister(source: Source, id: number, interest: Interest): void;
  deregister(source: Source, id: number): void;
  setWaker(waker: W, id: number): void;
}

/**
 * The task whose wake-ups are timed: it registers the eventfd under a token of its own
 * with the reactor, stores its waker for it, and on every real wake records now − stamp.
 */
class Probe<W> {
  readonly latencies: number[] = [];
  private token = -1;
  constructor(
    private readonly reactorOf: () => ProbeReactor<W>,
    private readonly eventfd: MioWaker,
    private readonly cells: Int32Array,
    private readonly stamp: BigInt64Array,
    private readonly samples: number,
  ) {}

  poll(waker: W): PollState<void> {
    const reactor = this.reactorOf();
    if (this.token < 0) {
      this.token = reactor.nextId();
      reactor.register(this.eventfd, this.token, Interest.READABLE);
    } else {
      const written = Atomics.load(this.stamp, 0);
      if (written !== 0n) {
        this.latencies.push(Number(process.hrtime.bigint() - written));
        Atomics.store(this.stamp, 0, 0n);
        this.eventfd.reset();
        if (this.latencies.length >= this.samples) {
          reactor.deregister(this.eventfd, this.token);
          return ready(undefined);
        }
        // The eventfd's wake() re-arms the Poll it was born in, not the reactor's: under
        // MIO_BACKEND=poll the reactor would never report it again. Re-armed here, before
        // the next turn is given, so outside the timed window (with epoll a no-op edge).
        reactor.reregister(this.eventfd, this.token, Interest.READABLE);
      } else {
        // Polled without a wake of ours: keep waiting, the turn is still out.
        reactor.setWaker(waker, this.token);
        return NOT_READY;
      }
    }
    reactor.setWaker(waker, this.token);
    signal(this.cells, Cell.TURN);
    return NOT_READY;
  }
}

/** Runs `work` with the calling thread held to `cpu` (and so every thread it starts meanwhile). */
function onCpu<T>(cpu: number | undefined, work: () => T): T {
  if (cpu === undefined) return work();
  const before = holdThreadTo([cpu]);
  try {
    return work();
  } finally {
    holdThreadTo(before);
  }
}

/** Stage c's path; with `cpu`, the executor, the reactor thread it starts and the helper all run there. */
function reactorLatency(settings: WakeSettings, cpu?: number): number[] {
  return onCpu(cpu, () => reactorSamples(settings, cpu));
}

function reactorSamples(settings: WakeSettings, cpu: number | undefined): number[] {
  const executor = runtime.init();
  return probeSamples(settings, cpu, {
    reactor: runtime.reactor,
    blockOn: (probe, timeoutMs) => executor.blockOn(probe, { timeoutMs }),
    close: runtime.shutdown,
  });
}

/** Stage d's single-threaded runtime: its executor is woken by its own epoll_wait. */
function oneThreadLatency(settings: WakeSettings): number[] {
  const local = initSingleThreaded({ verbose: false });
  return probeSamples(settings, undefined, {
    reactor: stageDReactor,
    blockOn: (probe, timeoutMs) => local.executor.blockOn(probe, { timeoutMs }),
    close: () => local.close(),
  });
}

/** A started runtime, as `probeSamples` drives it; `close` ends it. */
interface ProbeRuntime<W> {
  readonly reactor: () => ProbeReactor<W>;
  readonly blockOn: (probe: Probe<W>, timeoutMs: number) => void;
  readonly close: () => void;
}

/** Runs a probe on a started runtime until it has its samples, the helper waking it each time. */
function probeSamples<W>(
  settings: WakeSettings,
  cpu: number | undefined,
  started: ProbeRuntime<W>,
): number[] {
  // A mio Waker needs a registry to be born in; it is then registered with the reactor's.
  const birthplace = new Poll();
  const eventfd = new MioWaker(birthplace.registry(), Token(1));
  const control = new SharedArrayBuffer(Cell.SIZE * 4);
  const cells = new Int32Array(control);
  const stamp = new SharedArrayBuffer(8);
  const helper = startHelper({
    mode: "reactor",
    control,
    stamp,
    samples: settings.samples,
    gapMs: settings.gapMs,
    waker: eventfd.handle(),
    cpu,
  });
  const probe = new Probe(
    started.reactor,
    eventfd,
    cells,
    new BigInt64Array(stamp),
    settings.samples,
  );
  try {
    started.blockOn(probe, settings.samples * (settings.gapMs + 20) + 10_000);
  } finally {
    signal(cells, Cell.STOP);
    signal(cells, Cell.TURN);
    void helper.terminate();
    eventfd.close();
    birthplace.close();
    started.close();
  }
  return probe.latencies;
}

/** The floor; with `cpus`, this thread sleeps on `cpus.sleeper` and the helper wakes it from `cpus.waker`. */
function atomicsLatency(
  settings: WakeSettings,
  cpus?: { readonly sleeper: number; readonly waker: number },
): number[] {
  return onCpu(cpus?.sleeper, () => atomicsSamples(settings, cpus?.waker));
}

function atomicsSamples(settings: WakeSettings, helperCpu: number | undefined): number[] {
  const control = new SharedArrayBuffer(Cell.SIZE * 4);
  const cells = new Int32Array(control);
  const stampBuffer = new SharedArrayBuffer(8);
  const stamp = new BigInt64Array(stampBuffer);
  const helper = startHelper({
    mode: "atomics",
    control,
    stamp: stampBuffer,
    samples: settings.samples,
    gapMs: settings.gapMs,
    cpu: helperCpu,
  });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < settings.samples; i++) {
      latencies.push(turnThenWait(cells, stamp, "atomics floor: the helper thread"));
    }
  } finally {
    signal(cells, Cell.STOP);
    signal(cells, Cell.TURN);
    void helper.terminate();
  }
  return latencies;
}

/** The reactor's hop alone: a thread blocked in a bare mio `Poll.poll`, woken by an eventfd write. */
function epollLatency(settings: WakeSettings): number[] {
  const poll = new Poll();
  const events = new Events(8);
  const eventfd = new MioWaker(poll.registry(), Token(1));
  const control = new SharedArrayBuffer(Cell.SIZE * 4);
  const cells = new Int32Array(control);
  const stampBuffer = new SharedArrayBuffer(8);
  const stamp = new BigInt64Array(stampBuffer);
  const helper = startHelper({
    mode: "epoll",
    control,
    stamp: stampBuffer,
    samples: settings.samples,
    gapMs: settings.gapMs,
    waker: eventfd.handle(),
  });
  const latencies: number[] = [];
  try {
    while (latencies.length < settings.samples) {
      signal(cells, Cell.TURN);
      let written = 0n;
      while (written === 0n) {
        poll.poll(events, 10_000);
        if (events.length === 0) throw new Error("epoll hop: no wake within 10 s");
        written = Atomics.load(stamp, 0);
      }
      latencies.push(Number(process.hrtime.bigint() - written));
      Atomics.store(stamp, 0, 0n);
      eventfd.reset();
    }
  } finally {
    signal(cells, Cell.STOP);
    signal(cells, Cell.TURN);
    void helper.terminate();
    eventfd.close();
    poll.close();
  }
  return latencies;
}

/**
 * The runtime's two hops with no runtime around them: a relay thread blocked in a bare
 * `Poll.poll` is woken by the eventfd and wakes this thread with `Atomics.notify`.
 */
function twoHopLatency(settings: WakeSettings): number[] {
  const poll = new Poll();
  const eventfd = new MioWaker(poll.registry(), Token(1));
  const control = new SharedArrayBuffer(Cell.SIZE * 4);
  const cells = new Int32Array(control);
  const stampBuffer = new SharedArrayBuffer(8);
  const stamp = new BigInt64Array(stampBuffer);
  const common = { control, stamp: stampBuffer, samples: settings.samples, gapMs: settings.gapMs };
  const relay = startHelper({ ...common, mode: "relay", poll: poll.handle() });
  const helper = startHelper({ ...common, mode: "epoll", waker: eventfd.handle() });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < settings.samples; i++) {
      latencies.push(turnThenWait(cells, stamp, "two hops: the relay thread"));
      eventfd.reset();
    }
  } finally {
    signal(cells, Cell.STOP);
    signal(cells, Cell.TURN);
    void helper.terminate();
    void relay.terminate();
    eventfd.close();
    poll.close();
  }
  return latencies;
}

async function pingPong(settings: WakeSettings): Promise<WakeLatency["pingPong"]> {
  const control = new SharedArrayBuffer(Cell.SIZE * 4);
  const cells = new Int32Array(control);
  const helper = startHelper({
    mode: "pong",
    control,
    stamp: new SharedArrayBuffer(8),
    samples: 0,
    gapMs: 0,
  });
  // The helper must be up before the first ping is timed.
  await new Promise<void>((resolve) => helper.once("online", () => resolve()));
  try {
    const stats = await measure(
      () => {
        signal(cells, Cell.PING);
        while (Atomics.compareExchange(cells, Cell.PONG, 1, 0) !== 1) {
          Atomics.wait(cells, Cell.PONG, 0, 10_000);
        }
      },
      { min_cpu_time: settings.minCpuMs * 1e6 },
    );
    return {
      roundTripUs: round(stats.p50 / 1000, 3),
      oneWayUs: round(stats.p50 / 2000, 3),
      samples: stats.samples.length,
    };
  } finally {
    signal(cells, Cell.STOP);
    signal(cells, Cell.PING);
    await helper.terminate();
  }
}

/** Runs section 5 in this process. */
export async function wakeLatency(
  settings: WakeSettings,
  log: (line: string) => void,
): Promise<WakeLatency> {
  const floor = summarize("Atomics.notify → Atomics.wait (floor)", atomicsLatency(settings));
  log(`  floor: p50 ${floor.p50Us} µs, p99 ${floor.p99Us} µs`);
  const epollHop = summarize(
    "eventfd write → bare Poll.poll (epoll_wait) returns",
    epollLatency(settings),
  );
  log(`  epoll hop: p50 ${epollHop.p50Us} µs, p99 ${epollHop.p99Us} µs`);
  const twoHops = summarize(
    "eventfd → bare Poll.poll on a relay thread → Atomics.notify (no runtime)",
    twoHopLatency(settings),
  );
  log(`  two hops, bare: p50 ${twoHops.p50Us} µs, p99 ${twoHops.p99Us} µs`);
  const wake = summarize(
    "reactor wake → task polled on parked executor (stage c)",
    reactorLatency(settings),
  );
  log(`  stage c: p50 ${wake.p50Us} µs, p99 ${wake.p99Us} µs`);
  const oneThread = summarize(
    "epoll wake → task polled, stage d's single-threaded runtime (one hop)",
    oneThreadLatency(settings),
  );
  log(`  stage d, 1 thread: p50 ${oneThread.p50Us} µs, p99 ${oneThread.p99Us} µs`);
  const pp = await pingPong(settings);
  log(`  ping-pong (mitata): round trip ${pp.roundTripUs} µs`);
  const placement = placed(settings, log);
  return {
    runtime: wake,
    floor,
    oneThread,
    epollHop,
    twoHops,
    pingPong: pp,
    p50Ratio: round(wake.p50Us / floor.p50Us, 3),
    p99Ratio: round(wake.p99Us / floor.p99Us, 3),
    gapMs: settings.gapMs,
    placement,
  };
}

/** The placement rows, on the first two CPUs this process may use; none with one CPU. */
function placed(settings: WakeSettings, log: (line: string) => void): Placement | undefined {
  const [first, second] = allowedCpus();
  if (first === undefined || second === undefined) {
    log("  placement: one CPU only, skipped");
    return undefined;
  }
  const sameCpu = summarize(
    `Atomics hop, both threads held on CPU ${first}`,
    atomicsLatency(settings, { sleeper: first, waker: first }),
  );
  log(`  one CPU: p50 ${sameCpu.p50Us} µs`);
  const acrossCpus = summarize(
    `Atomics hop, sleeper on CPU ${first}, waker on CPU ${second}`,
    atomicsLatency(settings, { sleeper: first, waker: second }),
  );
  log(`  across CPUs: p50 ${acrossCpus.p50Us} µs`);
  const runtimeOneCpu = summarize(
    `stage c's path, helper + reactor thread + executor held on CPU ${first}`,
    reactorLatency(settings, first),
  );
  log(`  stage c on one CPU: p50 ${runtimeOneCpu.p50Us} µs`);
  return { cpus: [first, second], sameCpu, acrossCpus, runtimeOneCpu };
}
