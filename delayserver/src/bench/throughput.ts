import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";

const HEADER_END = "\r\n\r\n";
const LENGTH = /\r\ncontent-length: *(\d+)/i;

/**
 * Keep-alive raw sockets to one server, each with at most one request outstanding, that can
 * be switched on for a measured window and off again. Opened once per server, so the bench
 * can alternate short windows between two servers and let a noisy machine hit both alike.
 */
export class KeepAliveLoad {
  private readonly request: string;
  private readonly sockets: Socket[] = [];
  private running = false;
  private count = 0;
  private outstanding = 0;
  private failure: Error | undefined;
  private drained: (() => void) | undefined;

  private constructor(
    private readonly port: number,
    path: string,
  ) {
    this.request = `GET ${path} HTTP/1.1\r\nHost: bench\r\n\r\n`;
  }

  /** Opens `connections` sockets to 127.0.0.1:port (within 10 s) for `GET {path}`. */
  static async open(port: number, path: string, connections: number): Promise<KeepAliveLoad> {
    const load = new KeepAliveLoad(port, path);
    await Promise.all(Array.from({ length: connections }, () => load.connectOne()));
    return load;
  }

  /** Requests per second over a window of `ms`; waits for the last answers before returning. */
  async run(ms: number): Promise<number> {
    if (this.failure !== undefined) throw this.failure;
    this.count = 0;
    this.running = true;
    const from = performance.now();
    for (const socket of this.sockets) this.send(socket);
    await sleep(ms);
    this.running = false;
    const rate = (this.count * 1000) / (performance.now() - from);
    if (this.outstanding > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error("answers still missing 10 s after a window")),
          10_000,
        );
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (this.failure !== undefined) throw this.failure;
    return rate;
  }

  /** Closes every socket. */
  close(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  private send(socket: Socket): void {
    this.outstanding += 1;
    socket.write(this.request);
  }

  private connectOne(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port: this.port });
      socket.setNoDelay(true);
      socket.setEncoding("latin1");
      const timer = setTimeout(() => reject(new Error("connect took over 10 s")), 10_000);
      let buffered = "";
      socket.once("connect", () => {
        clearTimeout(timer);
        this.sockets.push(socket);
        resolve();
      });
      socket.on("data", (chunk: string) => {
        buffered += chunk;
        for (;;) {
          const end = buffered.indexOf(HEADER_END);
          if (end === -1) return;
          const length = Number(LENGTH.exec(buffered.slice(0, end + 2))?.[1] ?? 0);
          const total = end + HEADER_END.length + length;
          if (buffered.length < total) return;
          buffered = buffered.slice(total);
          this.outstanding -= 1;
          if (this.running) {
            this.count += 1;
            this.send(socket);
          } else if (this.outstanding === 0) {
            this.drained?.();
          }
        }
      });
      socket.on("error", (err) => {
        clearTimeout(timer);
        this.failure ??= err;
        reject(err);
      });
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
