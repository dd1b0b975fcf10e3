// A fixture of test/architecture.test.ts: the other half of an import circle.
import type { A } from "./circleA.js";

export type B = { readonly a?: A };
