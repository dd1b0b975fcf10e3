// `--kill worker=<index>@<time>`: parsed into a worker and a run time, refused in one line
// when malformed or out of range (a time past Node's timers once killed a worker at once).

import { describe, expect, it } from "vitest";
import { UserError } from "../../cli/errors.js";
import { parseKill } from "../../cli/killSpec.js";

describe("parseKill", () => {
  it("reads the worker and the time in s or ms", () => {
    expect(parseKill("worker=1@5s")).toEqual({ worker: 1, atMs: 5000 });
    expect(parseKill("worker=0@1500ms")).toEqual({ worker: 0, atMs: 1500 });
  });

  it("refuses a time past 20 days, which Node's timers cannot wait for, in one line", () => {
    expect(() => parseKill("worker=0@99999999999s")).toThrow(UserError);
    expect(() => parseKill("worker=0@99999999999s")).toThrow(
      "--kill worker=0@99999999999s: the time must be at most 1728000s",
    );
    expect(parseKill("worker=0@1728000s").atMs).toBe(1_728_000_000);
  });

  it("refuses a malformed one and a worker number too large to be one", () => {
    expect(() => parseKill("worker=1@-5s")).toThrow(/^--kill expects worker=<index>@<time>/);
    expect(() => parseKill("worker=99999999999999999999@5s")).toThrow("the number is too large");
  });
});
