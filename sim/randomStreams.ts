// Randomness of a run: one seeded stream per component, each derived from the run's
// seed and the component's name, so adding a component (or drawing more numbers in one)
// never shifts the numbers another component sees.

import seedrandom from "seedrandom";
import type { RandomSource } from "../engine/index.js";

/** A seeded random stream with the draws the simulator needs. */
export class RandomStream implements RandomSource {
  private readonly rng: () => number;

  constructor(seed: number, name: string) {
    this.rng = seedrandom.alea(`${seed}/${name}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.rng();
  }

  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.rng());
  }

  /** An integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.rng() * n);
  }
}

/** The random streams of one run. */
export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  constructor(readonly seed: number) {}

  /** The stream of component `name` (the same object on every call). */
  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = new RandomStream(this.seed, name);
      this.streams.set(name, s);
    }
    return s;
  }
}
