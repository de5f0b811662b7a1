import { describe, expect, it } from "vitest";
import { parseCliOptions } from "../src/cli-options.js";

const error = (args: string[]): string => {
  const parsed = parseCliOptions(args);
  if (parsed.ok) throw new Error(`expected ${JSON.stringify(args)} to be refused`);
  return parsed.error;
};

describe("parseCliOptions: good command lines", () => {
  it("nothing: every default", () => {
    expect(parseCliOptions([])).toEqual({
      ok: true,
      options: {
        host: undefined,
        port: undefined,
        maxDelayMs: undefined,
        quiet: false,
        help: false,
      },
    });
  });

  it.each([
    [["--port", "0"], { port: 0 }],
    [["--port=65535"], { port: 65_535 }],
    [["--port", "08080"], { port: 8080 }],
    [["--max-delay", "2147483647"], { maxDelayMs: 2_147_483_647 }],
    [["--host", "::1", "--quiet"], { host: "::1", quiet: true }],
    [["-h"], { help: true }],
    [["--port", "1", "--port", "2"], { port: 2 }],
    // What `pnpm --filter @ch08/delayserver start -- --quiet` passes.
    [["--", "--quiet"], { quiet: true }],
  ])("%j", (args, expected) => {
    const parsed = parseCliOptions(args);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.options).toMatchObject(expected);
  });
});

describe("parseCliOptions: every bad value says what is wrong and what is expected", () => {
  it.each([
    [
      ["--port", "-1"],
      "--port is out of range: -1 is not from 0 to 65535; it takes a whole number from 0 to 65535 (0 picks a free port)",
    ],
    [["--port=-1"], "--port is out of range: -1 is not from 0 to 65535"],
    [["--port", "65536"], "--port is out of range: 65536 is not from 0 to 65535"],
    [["--port", "99999999999999999999"], "--port is out of range: 99999999999999999999"],
    [
      ["--port", "http"],
      '--port takes a whole number from 0 to 65535 (0 picks a free port), got "http"',
    ],
    [["--port", "1.5"], 'got "1.5"'],
    [["--port", "0x50"], 'got "0x50"'],
    [["--port", "+80"], 'got "+80"'],
    [["--port", " 80"], 'got " 80"'],
    [["--port="], 'got ""'],
    [["--port"], "--port needs a value: a whole number from 0 to 65535 (0 picks a free port)"],
    [["--port", "--quiet"], "--port needs a value"],
    [
      ["--max-delay", "-1"],
      "--max-delay is out of range: -1 is not from 0 to 2147483647; it takes a whole number of milliseconds",
    ],
    [["--max-delay=-5"], "--max-delay is out of range: -5"],
    [["--max-delay", "2147483648"], "--max-delay is out of range: 2147483648"],
    [
      ["--max-delay", "1e3"],
      '--max-delay takes a whole number of milliseconds from 0 to 2147483647, got "1e3"',
    ],
    [["--max-delay"], "--max-delay needs a value"],
    [["--host"], "--host needs a value: an address or host name to listen on"],
    [["--host", "--port", "80"], "--host needs a value"],
    [["--host", ""], "--host must not be empty"],
    [
      ["--host", "local host"],
      '--host takes an address or host name to listen on, e.g. 127.0.0.1, without spaces or control characters; got "local host"',
    ],
    [["--host", "a\nb"], "without spaces or control characters"],
    [["--quiet=yes"], "Option '--quiet' does not take an argument"],
    [["--help=1"], "Option '-h, --help' does not take an argument"],
    [["-h=1"], 'unknown option "-h=1"; the only short option is -h'],
    [["-x"], "Unknown option '-x'"],
    [["--bogus"], "Unknown option '--bogus'"],
    [["stray"], "Unexpected argument 'stray'"],
  ])("%j", (args, message) => {
    const said = error(args);
    expect(said).toContain(message);
    expect(said).not.toContain("\n");
    expect(said).not.toMatch(/ambiguous/);
  });
});
