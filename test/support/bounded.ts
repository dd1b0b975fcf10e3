// Bounded waits for tests of real processes and servers (measure/bounded.ts, which the
// benchmarks share).

export * from "../../measure/bounded.js";
