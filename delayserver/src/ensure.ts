import { connect } from "node:net";
import { formatAddress, parseAddress } from "./address.js";
import { DEFAULT_ADDRESS } from "./defaults.js";
import { ListenError } from "./errors.js";

/** A delayserver a program can use: found running, or started for it on a thread. */
export interface EnsuredDelayServer {
  /** `host:port` to send requests to (the real port when a fallback was needed). */
  readonly address: string;
  /** True when this call started the server (a thread in this process). */
  readonly started: boolean;
  /** Stops the server this call started; does nothing when one was already running. */
  close(): Promise<void>;
}

// A local listener answers a connect in well under a millisecond; this only bounds a
// filtered remote address.
const PROBE_TIMEOUT_MS = 1_000;

/**
 * Finds a delayserver at `address`, or starts one there on a worker_thread (quiet); if that
 * port cannot be bound, starts one on a free port and says which in `address`.
 */
export async function ensureDelayServer(
  address: string = process.env.DELAYSERVER || DEFAULT_ADDRESS,
): Promise<EnsuredDelayServer> {
  const { host, port } = parseAddress(address);
  if (port !== 0 && (await isAccepting(host, port))) {
    return { address: formatAddress(host, port), started: false, close: async () => {} };
  }
  // A server for the run is started on this machine's loopback only: on a remote or
  // unknown host it could not bind, and on a multicast one it would bind but not answer.
  if (!isLoopback(host)) {
    throw new Error(
      `nothing accepts connections at ${address}, and a delayserver can be started for this run only on this machine (127.0.0.1 or localhost): start a delayserver at that address, point DELAYSERVER at one that runs, or unset it to use ${DEFAULT_ADDRESS}`,
    );
  }
  // Loaded only now: a program whose delayserver is already running never pays for it.
  const { startDelayServerThread } = await import("./thread.js");
  try {
    const server = await startDelayServerThread({ host, port, quiet: true });
    return { address: server.address, started: true, close: server.close };
  } catch (err) {
    if (!(err instanceof ListenError) || port === 0) throw err;
    const server = await startDelayServerThread({ host, port: 0, quiet: true });
    return { address: server.address, started: true, close: server.close };
  }
}

/** Whether `host` names this machine's loopback (or every local address). */
function isLoopback(host: string): boolean {
  return (
    host === "localhost" ||
    host === "0.0.0.0" ||
    host === "::1" ||
    host === "::" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/** Whether something accepts TCP connections at host:port right now. */
export function isAccepting(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    const done = (accepting: boolean): void => {
      socket.destroy();
      resolve(accepting);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
