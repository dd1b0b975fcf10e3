// What every notebook is run with: its size, its seed, and where its progress goes.

import type { SimProgress } from "../../sim/simulation.js";

/** Options of a notebook run. */
export interface NotebookOptions {
  readonly quick: boolean;
  /** The smallest sizes that still draw every figure (tests); implies quick where a notebook has none smaller. */
  readonly tiny?: boolean;
  readonly seed?: number;
  readonly onProgress?: (p: SimProgress) => void;
  /** A measured step begins (a notebook that times real work says what it is doing). */
  readonly onStep?: (what: string) => void;
}
