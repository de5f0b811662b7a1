// Load for the delayserver's throughput figure: keep-alive connections, one request
// outstanding on each, switched on for a measured window and off again. Opened once per
// server, so windows can alternate between two servers and drift hits both alike.
import { connect, type Socket } from "node:net";

const HEADER_END = "\r\n\r\n";
const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)/i;

/** Keep-alive raw sockets to one server, driven in windows. */
export class KeepAliveLoad {
  readonly #request: string;
  readonly #sockets: Socket[] = [];
  #running = false;
  #answered = 0;
  #outstanding = 0;
  #failure: Error | undefined;
  #onDrained: (() => void) | undefined;

  private constructor(path: string) {
    this.#request = `GET ${path} HTTP/1.1\r\nHost: bench\r\n\r\n`;
  }

  /** Opens `connections` sockets to 127.0.0.1:`port` (each within 10 s) for `GET {path}`. */
  static async open(port: number, path: string, connections: number): Promise<KeepAliveLoad> {
    const load = new KeepAliveLoad(path);
    await Promise.all(Array.from({ length: connections }, () => load.#connect(port)));
    return load;
  }

  /** Requests answered per second over a window of `ms`; waits for the stragglers after it. */
  async run(ms: number): Promise<number> {
    if (this.#failure !== undefined) throw this.#failure;
    this.#answered = 0;
    this.#running = true;
    const from = performance.now();
    for (const socket of this.#sockets) this.#send(socket);
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.#running = false;
    const rate = (this.#answered * 1000) / (performance.now() - from);
    if (this.#outstanding > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error("answers were still missing 10 s after a window")),
          10_000,
        );
        this.#onDrained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (this.#failure !== undefined) throw this.#failure;
    return rate;
  }

  /** Closes every socket. */
  close(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  #send(socket: Socket): void {
    this.#outstanding++;
    socket.write(this.#request);
  }

  #connect(port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.setNoDelay(true);
      socket.setEncoding("latin1");
      const timer = setTimeout(() => reject(new Error("a connect took over 10 s")), 10_000);
      let pending = "";
      socket.once("connect", () => {
        clearTimeout(timer);
        this.#sockets.push(socket);
        resolve();
      });
      socket.on("data", (chunk: string) => {
        pending += chunk;
        for (;;) {
          const headerEnd = pending.indexOf(HEADER_END);
          if (headerEnd < 0) return;
          const length = Number(CONTENT_LENGTH.exec(pending.slice(0, headerEnd + 2))?.[1] ?? 0);
          const total = headerEnd + HEADER_END.length + length;
          if (pending.length < total) return;
          pending = pending.slice(total);
          this.#outstanding--;
          if (this.#running) {
            this.#answered++;
            this.#send(socket);
          } else if (this.#outstanding === 0) {
            this.#onDrained?.();
          }
        }
      });
      socket.on("error", (error) => {
        clearTimeout(timer);
        this.#failure ??= error;
        reject(error);
      });
    });
  }
}
