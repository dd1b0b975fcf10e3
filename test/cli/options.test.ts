// Option parsers: values are accepted exactly when well formed and in bounds, and every
// refusal is a UserError naming the flag and the value.

import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { UserError } from "../../cli/errors.js";
import {
  integerOption,
  listOption,
  parseInteger,
  parseList,
  parsePositiveNumber,
} from "../../cli/options.js";

describe("parseInteger", () => {
  it("accepts integers within bounds", () => {
    expect(parseInteger("--n", "42")).toBe(42);
    expect(parseInteger("--n", "-3")).toBe(-3);
    expect(parseInteger("--n", "1", { min: 1, max: 1 })).toBe(1);
  });

  it("refuses malformed, fractional, unsafe and out-of-bounds values, naming flag and value", () => {
    for (const bad of ["abc", "", "1.5", "1e3", "0x10", "12abc", "9007199254740993"]) {
      expect(() => parseInteger("--lines", bad)).toThrow(UserError);
      expect(() => parseInteger("--lines", bad)).toThrow(`--lines expects an integer, got '${bad}'`);
    }
    expect(() => parseInteger("--top", "0", { min: 1 })).toThrow("--top expects an integer >= 1, got '0'");
    expect(() => parseInteger("--p", "9", { min: 1, max: 8 })).toThrow("from 1 to 8, got '9'");
  });
});

describe("parsePositiveNumber", () => {
  it("accepts finite numbers above zero", () => {
    expect(parsePositiveNumber("--rate", "2.5")).toBe(2.5);
    expect(parsePositiveNumber("--rate", "1e3")).toBe(1000);
  });

  it("refuses zero, negatives, blanks and non-numbers", () => {
    for (const bad of ["0", "-1", "", " ", "abc", "Infinity"]) {
      expect(() => parsePositiveNumber("--rate", bad)).toThrow(`--rate expects a number > 0, got '${bad}'`);
    }
  });

  it("refuses a number above its bound, naming the bound", () => {
    expect(parsePositiveNumber("--until", "1728000", 1_728_000)).toBe(1_728_000);
    expect(() => parsePositiveNumber("--until", "1e308", 1_728_000)).toThrow(
      "--until expects a number > 0 and <= 1728000, got '1e308'",
    );
  });
});

describe("parseList", () => {
  it("splits on commas and trims names", () => {
    expect(parseList("--only", "a, b,c")).toEqual(["a", "b", "c"]);
  });

  it("refuses empty names", () => {
    expect(() => parseList("--only", "a,,b")).toThrow(UserError);
    expect(() => parseList("--only", "")).toThrow("--only expects comma-separated names, got ''");
  });
});

describe("option builders", () => {
  it("parse through commander, name their long flag in errors and show defaults in help", () => {
    const cmd = new Command("t")
      .addOption(integerOption("-n, --count <n>", "how many", 3, { min: 1 }))
      .addOption(listOption("--only <names>", "which", "all"));
    expect(cmd.parse(["--count", "7", "--only", "x,y"], { from: "user" }).opts()).toEqual({
      count: 7,
      only: ["x", "y"],
    });
    expect(() =>
      new Command("t")
        .addOption(integerOption("-n, --count <n>", "", 3))
        .parse(["-n", "x"], { from: "user" }),
    ).toThrow("--count expects an integer, got 'x'");
    expect(cmd.helpInformation()).toMatch(/--count <n>\s+how many \(default: 3\)/);
    expect(cmd.helpInformation()).toMatch(/--only <names>\s+which \(default: all\)/);
  });
});
