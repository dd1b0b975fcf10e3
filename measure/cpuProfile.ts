// Where a process's CPU time went, from a V8 CPU profile (`node --cpu-prof` writes one
// `.cpuprofile` per process at its exit): the self time of each function, summed over every
// place it was sampled in the call tree, largest first. Self time is what a function spent
// in its own code, not its callees': the costs to remove. The note on the data plane quotes
// these summaries, and scripts/cpu-profile-summary.ts prints them for any profile.

/** A profile's call-tree node, as V8 writes it (the fields read here). */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

/** A V8 CPU profile: call-tree nodes, the node of each sample and the µs before each sample. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A profile that cannot be read: names the file and what is wrong with it. */
export class CpuProfileError extends Error {
  override readonly name = "CpuProfileError";
}

/** One function's self time in a profile. */
export interface SelfTime {
  /** The function's name, or V8's for a pseudo-node: (garbage collector), (idle), (program). */
  readonly name: string;
  /** Where it is defined, `file:line` or `file` (the project's files relative to its root), or "" for V8's own. */
  readonly location: string;
  readonly selfMs: number;
  /** Its share of the sampled time, in [0, 1]. */
  readonly share: number;
}

/** Parse the text of a `.cpuprofile` (from `where`, named in errors). */
export function parseCpuProfile(text: string, where: string): CpuProfile {
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch {
    throw new CpuProfileError(`${where}: not JSON, so not a .cpuprofile`);
  }
  const o = p as Partial<CpuProfile> | null;
  if (
    o === null ||
    typeof o !== "object" ||
    !Array.isArray(o.nodes) ||
    !Array.isArray(o.samples) ||
    !Array.isArray(o.timeDeltas)
  )
    throw new CpuProfileError(`${where}: no nodes, samples and timeDeltas, so not a .cpuprofile`);
  if (o.samples.length !== o.timeDeltas.length)
    throw new CpuProfileError(
      `${where}: ${o.samples.length} samples but ${o.timeDeltas.length} time deltas (a truncated profile?)`,
    );
  return o as CpuProfile;
}

/** `url` shortened: a file of this project relative to `root`, a package's from its node_modules. */
function shortLocation(url: string, line: number, root: string): string {
  if (url === "") return "";
  let file = url.startsWith("file://") ? url.slice("file://".length) : url;
  const modules = file.lastIndexOf("node_modules/");
  if (modules >= 0) file = file.slice(modules + "node_modules/".length);
  else if (root !== "" && file.startsWith(root)) file = file.slice(root.length).replace(/^\//, "");
  // V8's line numbers are 0-based; code that tsx compiled reports line 0 (1) for every function.
  return line > 0 ? `${file}:${line + 1}` : file;
}

/** Which samples of a profile to read, and how to name their files. */
export interface SampleWindow {
  /** The project's directory: its files are named relative to it (default: full paths). */
  readonly root?: string;
  /** Samples from this many µs after the profile's start (default 0)... */
  readonly fromUs?: number;
  /** ...up to this many (default: to its end). */
  readonly toUs?: number;
}

/** The sampled function of each sample, with the µs before it and when it was taken (from the start). */
function* samples(
  profile: CpuProfile,
  root: string,
): Generator<{ name: string; location: string; us: number; atUs: number }> {
  const nodes = new Map<number, ProfileNode>();
  for (const n of profile.nodes) nodes.set(n.id, n);
  let atUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // The first delta is from the profile's start to the first sample: charged like the rest.
    const us = Math.max(0, profile.timeDeltas[i]);
    atUs += us;
    const node = nodes.get(profile.samples[i]);
    const frame = node?.callFrame ?? { functionName: "(unknown node)", url: "", lineNumber: 0 };
    yield {
      name: frame.functionName === "" ? "(anonymous)" : frame.functionName,
      location: shortLocation(frame.url, frame.lineNumber, root),
      us,
      atUs,
    };
  }
}

/**
 * The span of `profile` (µs from its start) from the first to the last sample in a file
 * whose location (relative to `root`) starts with `prefix`, or with `dist/` and `prefix`
 * (the build, which a clone's workers may run), or null when none does: the time a process
 * spent on a workload, its start-up and idle end left out.
 */
export function activeSpanUs(
  profile: CpuProfile,
  prefix: string,
  root = "",
): { fromUs: number; toUs: number } | null {
  const built = `dist/${prefix}`;
  let span: { fromUs: number; toUs: number } | null = null;
  for (const s of samples(profile, root)) {
    if (!s.location.startsWith(prefix) && !s.location.startsWith(built)) continue;
    if (span === null) span = { fromUs: s.atUs - s.us, toUs: s.atUs };
    else span.toUs = s.atUs;
  }
  return span;
}

/**
 * Each function's self time in `profile` (within `window`), largest first: the time before
 * each sample is charged to the sampled node, and nodes of one function (same name, file
 * and line) are summed.
 */
export function selfTimes(profile: CpuProfile, window: SampleWindow = {}): SelfTime[] {
  const { root = "", fromUs = 0, toUs = Number.POSITIVE_INFINITY } = window;
  const byFunction = new Map<string, { name: string; location: string; us: number }>();
  let totalUs = 0;
  for (const { name, location, us, atUs } of samples(profile, root)) {
    if (atUs <= fromUs || atUs > toUs) continue;
    totalUs += us;
    const key = `${name}\u0000${location}`;
    const f = byFunction.get(key);
    if (f === undefined) byFunction.set(key, { name, location, us });
    else f.us += us;
  }
  return [...byFunction.values()]
    .map((f) => ({
      name: f.name,
      location: f.location,
      selfMs: f.us / 1000,
      share: totalUs === 0 ? 0 : f.us / totalUs,
    }))
    .sort((a, b) => b.selfMs - a.selfMs || a.name.localeCompare(b.name));
}

/** The `top` largest self times of `profile` (within `window`) as a table of text lines, under `title`. */
export function formatSelfTimes(
  profile: CpuProfile,
  title: string,
  top = 15,
  window: SampleWindow = {},
): string[] {
  const all = selfTimes(profile, window);
  const sampled = all.reduce((s, t) => s + t.selfMs, 0);
  const busy = all.filter((t) => t.name !== "(idle)").reduce((s, t) => s + t.selfMs, 0);
  const lines = [
    `${title}: ${sampled.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms not idle; top ${Math.min(top, all.length)} self times`,
    `  ${"self ms".padStart(9)} ${"share".padStart(6)}  function (file:line)`,
  ];
  for (const t of all.slice(0, top)) {
    const where = t.location === "" ? "" : ` (${t.location})`;
    lines.push(
      `  ${t.selfMs.toFixed(1).padStart(9)} ${`${(t.share * 100).toFixed(1)}%`.padStart(6)}  ${t.name}${where}`,
    );
  }
  return lines;
}
