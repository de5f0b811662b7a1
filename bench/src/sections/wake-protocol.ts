import type { PollHandle, WakerHandle } from "@ch08/mio";

/** Cells of the Int32Array the wake-latency threads share. */
export const Cell = {
  /** Main → helper: take your turn (1), taken (0). */
  TURN: 0,
  /** Helper → main, atomics mode: woken (1). */
  FLAG: 1,
  /** Main → helper, pong mode: ping. */
  PING: 2,
  /** Helper → main, pong mode: pong. */
  PONG: 3,
  /** Main → helper: stop now. */
  STOP: 4,
  SIZE: 5,
} as const;

/** What the helper thread is started with. */
export interface HelperData {
  readonly mode: "reactor" | "epoll" | "atomics" | "pong" | "relay";
  readonly control: SharedArrayBuffer;
  /** One i64: the helper's hrtime (ns) at the wake. */
  readonly stamp: SharedArrayBuffer;
  readonly samples: number;
  readonly gapMs: number;
  readonly waker?: WakerHandle;
  /** Relay mode: the Poll to wait in; each wake it returns with is passed on to FLAG. */
  readonly poll?: PollHandle;
  /** The one CPU the helper holds itself to, if any (the placement rows). */
  readonly cpu?: number;
}
