import { type ParseArgsConfig, parseArgs } from "node:util";
import { parseArgsErrorText } from "@ch08/delayserver/protocol";

/** What parseArgs reads for `config` (its values). */
type Values<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>["values"];

/**
 * node:util's parseArgs over `config`, or, on a usage error, its first sentence (which
 * names the culprit) and `help` on stderr, and exit 2.
 */
export function readOptions<T extends ParseArgsConfig>(config: T, help: string): Values<T> {
  try {
    return parseArgs(config).values;
  } catch (error) {
    process.stderr.write(`${parseArgsErrorText(error)}; ${help}\n`);
    process.exit(2);
  }
}
