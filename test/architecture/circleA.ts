// A fixture of test/architecture.test.ts: half of an import circle.
import type { B } from "./circleB.js";

export type A = { readonly b?: B };
