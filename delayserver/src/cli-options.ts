// The CLI's command line, read without I/O so that every bad value can be tested on its own.
import { parseArgs } from "node:util";
import { MAX_TIMER_MS } from "./defaults.js";

/** What the command line asks for; absent fields take the defaults. */
export interface CliOptions {
  host: string | undefined;
  port: number | undefined;
  maxDelayMs: number | undefined;
  quiet: boolean;
  help: boolean;
}

/** The command line read, or one line saying what is wrong with it (usage error, exit 2). */
export type CliParse = { ok: true; options: CliOptions } | { ok: false; error: string };

/** A command line's options: those that take a value (and what it must be), and flags. */
export interface OptionSpec {
  readonly values: Readonly<Record<string, string>>;
  readonly flags: readonly string[];
}

/** The delayserver's options; a program that serves the same way adds its own to these. */
export const DELAYSERVER_OPTIONS = {
  values: {
    host: "an address or host name to listen on, e.g. 127.0.0.1",
    port: "a whole number from 0 to 65535 (0 picks a free port)",
    "max-delay": `a whole number of milliseconds from 0 to ${MAX_TIMER_MS}`,
  },
  flags: ["quiet", "help"],
} as const satisfies OptionSpec;
const VALUE_OPTIONS = DELAYSERVER_OPTIONS.values;
type ValueOption = keyof typeof VALUE_OPTIONS;

/**
 * `args` with each value joined to its option (`--port=-1`), for node:util's parseArgs,
 * which calls `--port -1` ambiguous: a value that starts with a dash is still a value.
 * Or what is wrong: an option that takes a value given none, or a short option other
 * than -h (parseArgs would read `-h=1` as the flags -h, -=, -1 and name the wrong one).
 */
export function joinOptionValues(
  args: readonly string[],
  spec: OptionSpec,
): string[] | { error: string } {
  const takesValue = (name: string): boolean => Object.hasOwn(spec.values, name);
  const isOption = (arg: string): boolean => {
    if (arg === "-h") return true;
    if (!arg.startsWith("--")) return false;
    const name = arg.slice(2).split("=", 1)[0] ?? "";
    return takesValue(name) || spec.flags.includes(name);
  };
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const name = arg.startsWith("--") ? arg.slice(2) : "";
    if (takesValue(name)) {
      const value = args[i + 1];
      if (value === undefined || isOption(value)) {
        return { error: `--${name} needs a value: ${spec.values[name]}` };
      }
      joined.push(`--${name}=${value}`);
      i += 1;
    } else if (/^-[^-]./.test(arg)) {
      return { error: `unknown option ${JSON.stringify(arg)}; the only short option is -h` };
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/**
 * What node:util's parseArgs threw, as one line: its first sentence, whose own words name
 * the culprit ("Unknown option '--x'"), without its period; the rest of them is advice
 * that does not fit a command's usage line.
 */
export function parseArgsErrorText(error: unknown): string {
  const first = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
  return first.replace(/\.$/, "");
}

/**
 * Reads `--host H --port P --max-delay MS --quiet --help` (also `--port=P`). A value that
 * starts with a dash is still a value (`--port -1` is a port out of range, not an option).
 */
export function parseCliOptions(commandLine: readonly string[]): CliParse {
  // `pnpm --filter @ch08/delayserver start -- --quiet` passes its `--` on: skip it.
  const args = commandLine[0] === "--" ? commandLine.slice(1) : commandLine;
  const joined = joinOptionValues(args, DELAYSERVER_OPTIONS);
  if ("error" in joined) return fail(joined.error);
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(joined).values;
  } catch (err) {
    return fail(parseArgsErrorText(err));
  }
  const host = values.host;
  if (host !== undefined) {
    if (host === "") return fail("--host must not be empty");
    if (/[\s\p{Cc}]/u.test(host)) {
      return fail(
        `--host takes ${VALUE_OPTIONS.host}, without spaces or control characters; got ${JSON.stringify(host)}`,
      );
    }
  }
  const port = wholeNumber("port", values.port, 65_535);
  if (typeof port === "string") return fail(port);
  const maxDelayMs = wholeNumber("max-delay", values["max-delay"], MAX_TIMER_MS);
  if (typeof maxDelayMs === "string") return fail(maxDelayMs);
  return {
    ok: true,
    options: {
      host,
      port,
      maxDelayMs,
      quiet: values.quiet === true,
      help: values.help === true,
    },
  };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "max-delay": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}

/** The number, or what is wrong with it: not a whole number, or one out of range. */
function wholeNumber(
  name: ValueOption,
  raw: string | undefined,
  max: number,
): number | undefined | string {
  if (raw === undefined) return undefined;
  if (/^-?[0-9]+$/.test(raw)) {
    const n = Number(raw);
    if (!raw.startsWith("-") && n <= max) return n;
    return `--${name} is out of range: ${raw} is not from 0 to ${max}; it takes ${VALUE_OPTIONS[name]}`;
  }
  return `--${name} takes ${VALUE_OPTIONS[name]}, got ${JSON.stringify(raw)}`;
}

function fail(error: string): CliParse {
  return { ok: false, error };
}
