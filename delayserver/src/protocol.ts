/**
 * The delayserver's rules and words without a server: its routes, limits, addresses,
 * texts and errors. A server built on another runtime (stage d's) imports this entry,
 * `@ch08/delayserver/protocol`, so that it answers exactly as the node:http one does
 * without loading node:http, node:net and streams at start-up (the package's index costs
 * about 15 ms of CPU more than this entry here, whole processes timed in 31 pairs).
 * @module
 */
export { formatAddress, parseAddress } from "./address.js";
export {
  type CliOptions,
  type CliParse,
  DELAYSERVER_OPTIONS,
  joinOptionValues,
  type OptionSpec,
  parseArgsErrorText,
  parseCliOptions,
} from "./cli-options.js";
export {
  DEFAULT_ADDRESS,
  DEFAULT_HOST,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_PORT,
  MAX_TARGET_LENGTH,
  MAX_TIMER_MS,
} from "./defaults.js";
export { ListenError } from "./errors.js";
export { checkExperiment, EXPERIMENTS } from "./experiments.js";
export { openFileLimit } from "./fd-limit.js";
export type { DelayServer, DelayServerOptions } from "./options.js";
export { connectAnswer, rawAnswer } from "./raw-answers.js";
export { ALLOWED_METHODS, REASON_PHRASES, type Route, route } from "./routes.js";
export { bannerText, helpText, printable, usageLine } from "./usage.js";
