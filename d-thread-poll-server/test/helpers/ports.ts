import { connect } from "node:net";
import { within } from "@ch08/delayserver/test/suites/client";

/** Whether something accepts a connection on `port` (answered within 2 s either way). */
export function accepting(port: number): Promise<boolean> {
  return within(
    new Promise<boolean>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    }),
    2000,
    `connecting to ${port}`,
  );
}
