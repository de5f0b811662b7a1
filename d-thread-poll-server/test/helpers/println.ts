import { capturePrintln } from "@ch08/http";

/** Sends this thread's println output to a string; returns a function that reads it. */
export function silencePrintln(): () => string {
  let text = "";
  capturePrintln((chunk) => {
    text += chunk;
  });
  return () => text;
}
