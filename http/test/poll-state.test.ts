import { describe, expect, it } from "vitest";
import {
  checkFuture,
  checkGenerator,
  isReady,
  NOT_READY,
  NotAFutureError,
  NotAGeneratorError,
  NotAPollStateError,
  type PollState,
  ready,
} from "../dist/index.js";

/** What `isReady` makes of a value that a poll should never have returned. */
function refusal(returned: unknown): NotAPollStateError {
  try {
    isReady(returned as PollState<unknown>);
  } catch (error) {
    if (error instanceof NotAPollStateError) return error;
    throw error;
  }
  throw new Error(`isReady accepted ${String(returned)}`);
}

describe("isReady: how every executor reads a poll's answer", () => {
  it("reads Ready and NotReady, the shared NOT_READY and a literal alike", () => {
    expect(isReady(ready(7))).toBe(true);
    expect(isReady(ready(undefined))).toBe(true);
    expect(isReady(NOT_READY)).toBe(false);
    expect(isReady({ ready: false })).toBe(false);
  });

  it("refuses the Promise of an async poll, saying poll must not be async", () => {
    const error = refusal(Promise.resolve(ready(1)));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.name).toBe("NotAPollStateError");
    expect(error.message).toMatch(/^poll\(\) returned a Promise \(is poll declared async\?\)/);
    expect(error.message).toMatch(/return ready\(value\).*NOT_READY.*must not be async/);
  });

  it("refuses a poll that returned nothing, and anything else that is no PollState", () => {
    expect(refusal(undefined).message).toMatch(/returned undefined \(a path through poll/);
    expect(refusal(null).message).toMatch(/returned null, not a PollState/);
    expect(refusal({ ready: "yes" }).message).toMatch(/an object with no boolean `ready`/);
    expect(refusal(1).message).toMatch(/returned a number, not a PollState/);
    expect(refusal(true).message).toMatch(/returned a boolean/);
  });
});

describe("checkFuture and checkGenerator: what a coroutine refuses to wait on", () => {
  it("passes a future and refuses what is not one, naming it", () => {
    const future = { poll: () => NOT_READY };
    expect(checkFuture(future, "x")).toBe(future);
    const refuse = (value: unknown) => () => checkFuture(value, "a coroutine's body yielded");
    expect(refuse(Promise.resolve(1))).toThrow(NotAFutureError);
    expect(refuse(Promise.resolve(1))).toThrow(
      /^a coroutine's body yielded a Promise, not a Future: .*yield\* wait\(future\).*event loop/,
    );
    expect(refuse(ready(1))).toThrow(/yielded a PollState \(what a poll returns\), not a Future/);
    expect(refuse(undefined)).toThrow(/yielded undefined, not a Future/);
    expect(refuse(5)).toThrow(/yielded a number, not a Future/);
    expect(refuse({})).toThrow(/yielded an object with no poll method/);
  });

  it("passes a generator and refuses an async generator, a Promise and a value", () => {
    const generator = (function* () {})();
    expect(checkGenerator(generator)).toBe(generator);
    const refuse = (value: unknown) => () => checkGenerator(value);
    expect(refuse((async function* () {})())).toThrow(NotAGeneratorError);
    expect(refuse((async function* () {})())).toThrow(
      /^coroutine\(body\): body\(\) returned an async generator \(is the body an async function\*\?\), not a generator: write the body as a plain `function\*`/,
    );
    expect(refuse(Promise.resolve(1))).toThrow(
      /returned a Promise \(is the body an async function\?\)/,
    );
    expect(refuse(1)).toThrow(/returned a number, not a generator/);
  });
});
