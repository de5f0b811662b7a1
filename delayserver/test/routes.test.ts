import { STATUS_CODES } from "node:http";
import { describe, expect, it } from "vitest";
import { MAX_TARGET_LENGTH } from "../src/defaults.js";
import { REASON_PHRASES, route } from "../src/routes.js";

const MAX = 60_000;

describe("route: the shape /{delay_ms}/{message}", () => {
  it.each([
    ["/200/Hello%20World", 200, "Hello World"],
    ["/0/x", 0, "x"],
    ["/60000/max", 60_000, "max"],
    ["/007/leading%20zeros", 7, "leading zeros"],
    ["/5/a+b", 5, "a+b"],
    ["/5/%E2%9C%93", 5, "\u2713"],
    ["/5/slash%2Finside", 5, "slash/inside"],
    ["/5/with?query=ignored", 5, "with"],
    ["http://example.test/5/absolute-form", 5, "absolute-form"],
  ])("%s → delay %i, message %j", (target, delayMs, message) => {
    expect(route("GET", target, MAX)).toEqual({ kind: "delay", delayMs, message });
  });

  it("HEAD is routed like GET", () => {
    expect(route("HEAD", "/1/x", MAX)).toEqual({ kind: "delay", delayMs: 1, message: "x" });
  });
});

describe("route: bad input", () => {
  it.each([
    ["/abc/x", 400, /whole number/],
    ["/-5/x", 400, /whole number/],
    ["/1.5/x", 400, /whole number/],
    ["/1e3/x", 400, /whole number/],
    ["/%201/x", 400, /whole number/],
    ["/60001/x", 400, /too large: at most 60000/],
    ["/99999999999999999999999/x", 400, /too large/],
    ["/200/", 400, /missing/],
    ["/200", 400, /missing/],
    ["/200/%", 400, /malformed percent-encoding/],
    ["/200/%zz", 400, /malformed percent-encoding/],
    ["/200/%C3%28", 400, /malformed percent-encoding/],
    ["/", 404, /no such path/],
    ["/favicon.ico", 404, /no such path/],
    ["//x", 404, /no such path/],
    ["/200/a/b", 404, /no such path/],
    ["*", 404, /must start with/],
  ])("%s → %i", (target, status, reason) => {
    const r = route("GET", target, MAX);
    expect(r.kind).toBe("reject");
    if (r.kind === "reject") {
      expect(r.status).toBe(status);
      expect(r.reason).toMatch(reason);
    }
  });

  it.each(["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT"])("%s → 405", (method) => {
    expect(route(method, "/1/x", MAX)).toMatchObject({ kind: "reject", status: 405 });
  });

  it(`a target over ${MAX_TARGET_LENGTH} bytes → 414, at the cap it is served`, () => {
    const pad = (n: number): string => `/1/${"a".repeat(n - 3)}`;
    expect(route("GET", pad(MAX_TARGET_LENGTH), MAX)).toMatchObject({ kind: "delay" });
    expect(route("GET", pad(MAX_TARGET_LENGTH + 1), MAX)).toMatchObject({ status: 414 });
  });

  it("the max delay is the caller's", () => {
    expect(route("GET", "/11/x", 10)).toMatchObject({ status: 400 });
    expect(route("GET", "/10/x", 10)).toMatchObject({ kind: "delay" });
  });
});

describe("REASON_PHRASES: the statuses a delayserver answers with", () => {
  it.each(Object.entries(REASON_PHRASES))(
    "%s is written as node:http writes it",
    (status, phrase) => {
      expect(phrase).toBe(STATUS_CODES[status]);
    },
  );

  it("covers every status the router rejects with", () => {
    const statuses = ["/abc/x", "/1", "/1/x/y", `/1/${"x".repeat(MAX_TARGET_LENGTH)}`]
      .map((target) => route("GET", target, MAX))
      .concat(route("POST", "/1/x", MAX))
      .map((r) => (r.kind === "reject" ? r.status : 200));
    for (const status of statuses) expect(REASON_PHRASES).toHaveProperty(String(status));
    expect(new Set(statuses)).toEqual(new Set([400, 404, 405, 414]));
  });
});
