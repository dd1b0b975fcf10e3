// The README's library example is the file the package tests compile and run
// (fixtures/readmeExample.ts, below its header comment): the README shows what was tested.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");

describe("README, Using seep-testbed as a library", () => {
  it("shows fixtures/readmeExample.ts as it is, below its header comment", () => {
    const readme = read("../../README.md");
    const section = readme.slice(readme.indexOf("## Using seep-testbed as a library"));
    const code = section.slice(
      section.indexOf("```ts\n") + 6,
      section.indexOf("```\n", section.indexOf("```ts\n") + 6),
    );
    expect(code).toBe(read("./fixtures/readmeExample.ts").split("\n\n").slice(1).join("\n\n"));
  });
});
