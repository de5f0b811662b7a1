// How a judged figure is printed: never rounded onto its goal's bound, so a verdict
// of NO never sits beside a number that reads as the bound itself.
import { describe, expect, it } from "vitest";
import { digitsAgainst, num, ratio } from "../src/table.js";

describe("a ratio judged against a goal", () => {
  it("keeps two decimals when they already tell it from the bound", () => {
    expect(ratio(0.58, 0.6)).toBe("0.58×");
    expect(ratio(2.11, 2)).toBe("2.11×");
  });

  it("takes more decimals when two would print the bound", () => {
    expect(ratio(0.702, 0.7)).toBe("0.702×");
    expect(ratio(0.5003, 0.5)).toBe("0.5003×");
    expect(ratio(1.996, 2)).toBe("1.996×");
    expect(digitsAgainst(0.7, 0.7)).toBe(2);
  });

  it("tells it from the bound however it is printed: 0.695 is 0.69 by toFixed, 0.7 by num", () => {
    const d = digitsAgainst(0.695, 0.7);
    expect(num(0.695, d)).toBe("0.695");
    expect(ratio(0.695, 0.7)).toBe("0.695×");
  });

  it("stops at four decimals", () => {
    expect(digitsAgainst(0.70000001, 0.7)).toBe(4);
  });
});
