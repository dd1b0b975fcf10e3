// Events on a chart's x axis (failures, detections, scale outs) as numbered marks: events
// closer together on the axis than a number is wide share one number, so the numbers above
// the plot never overlap however many events there are, and each number's entry in the
// chart's list of events says what happened and when ("3 cars ×2, tolls at 40.1–42 s").

/** An event on the x axis, as the chart is given it. */
export interface ChartEvent {
  readonly x: number;
  readonly label: string;
}

/** Events that share a number: at `anchorPx` (the first one's position), their lines at their own. */
export interface NumberedEvent {
  readonly number: number;
  readonly anchorPx: number;
  /** Each event's x and position in pixels. */
  readonly members: readonly { readonly x: number; readonly px: number }[];
  /** What happened and when, without the number: "cars ×2 at 40.1–42 s; tolls at 41 s". */
  readonly description: string;
}

/** A value as the list of events shows it: at most 4 significant digits. */
function short(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/**
 * What happened and when, each label once with how many times and when it occurred:
 * "VM 3 crashes at 10 s; detected at 10.5 s", "cars ×2 at 40.1–42 s; tolls at 41 s", or
 * the time once if all happened at it: "rsm caught up; source-replay caught up at 28 s".
 */
function describe(events: readonly ChartEvent[], unit: string): string {
  const byLabel = new Map<string, number[]>();
  for (const e of events) byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), e.x]);
  const at = (xs: readonly number[]) => {
    const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
    return ` at ${lo === hi ? short(lo) : `${short(lo)}–${short(hi)}`}${unit === "" ? "" : ` ${unit}`}`;
  };
  const what = (label: string, xs: readonly number[]) => `${label}${xs.length > 1 ? ` ×${xs.length}` : ""}`;
  // All at one time: the time once, after every label.
  if (new Set(events.map((e) => e.x)).size === 1)
    return `${[...byLabel].map(([label, xs]) => what(label, xs)).join("; ")}${at([events[0].x])}`;
  return [...byLabel].map(([label, xs]) => `${what(label, xs)}${at(xs)}`).join("; ");
}

/**
 * Number `events` left to right: an event less than `gapPx` right of the first event of the
 * current number joins it, so that consecutive numbers are at least `gapPx` apart. `px` places
 * an x on the chart; `unit` is the x axis's ("s"), or "".
 */
export function numberEvents(
  events: readonly ChartEvent[],
  px: (x: number) => number,
  gapPx: number,
  unit: string,
): NumberedEvent[] {
  const placed = events
    .map((e) => ({ ...e, px: px(e.x) }))
    .filter((e) => Number.isFinite(e.px))
    .sort((a, b) => a.px - b.px || a.x - b.x);
  const groups: (typeof placed)[] = [];
  for (const e of placed) {
    const last = groups.at(-1);
    if (last !== undefined && e.px - last[0].px < gapPx) last.push(e);
    else groups.push([e]);
  }
  return groups.map((g, i) => ({
    number: i + 1,
    anchorPx: g[0].px,
    members: g.map((e) => ({ x: e.x, px: e.px })),
    description: describe(g, unit),
  }));
}
