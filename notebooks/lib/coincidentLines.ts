// Lines of a chart that lie on top of each other: a line whose points fall, for a good part,
// on a line drawn before it (within a pixel and a half) would hide it, so the chart gives the
// later one a dash pattern of its own, and the lines of such a stack are drawn the wider the
// earlier they are drawn, so that each shows at the edges of the ones on top of it.

/** A line as drawn: its points in pixels, in the order of x; `step` if it holds each value until the next point. */
export interface DrawnLine {
  readonly points: readonly (readonly [number, number])[];
  readonly step: boolean;
}

/** Pixels apart within which two lines are on top of each other. */
const NEAR_PX = 1.5;
/** The share of a line's points on an earlier line from which it counts as hidden by it. */
const HIDDEN_SHARE = 0.3;

/** The height of `line` at `px`, or undefined outside its points. */
function heightAt(line: DrawnLine, px: number): number | undefined {
  const p = line.points;
  if (p.length === 0 || px < p[0][0] || px > p[p.length - 1][0]) return undefined;
  let lo = 0;
  let hi = p.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (p[mid][0] <= px) lo = mid;
    else hi = mid;
  }
  const [[x0, y0], [x1, y1]] = [p[lo], p[hi]];
  if (px === x1) return y1;
  if (line.step || x1 === x0) return y0;
  return y0 + ((y1 - y0) * (px - x0)) / (x1 - x0);
}

/** Whether `later` lies on `earlier` for at least HIDDEN_SHARE of its points (and two of them). */
function liesOn(later: DrawnLine, earlier: DrawnLine): boolean {
  let compared = 0;
  let near = 0;
  for (const [px, py] of later.points) {
    const h = heightAt(earlier, px);
    if (h === undefined) continue;
    compared++;
    if (Math.abs(h - py) <= NEAR_PX) near++;
  }
  return near >= 2 && near >= HIDDEN_SHARE * compared;
}

/**
 * The lines that lie on a line before them in `lines` (`hidden`, by index), and every line
 * that takes part in such a pair, hiding or hidden (`stacked`).
 */
export function coincidentLines(lines: readonly DrawnLine[]): { hidden: Set<number>; stacked: Set<number> } {
  const hidden = new Set<number>();
  const stacked = new Set<number>();
  lines.forEach((line, i) => {
    lines.slice(0, i).forEach((earlier, j) => {
      if (!liesOn(line, earlier)) return;
      hidden.add(i);
      stacked.add(i).add(j);
    });
  });
  return { hidden, stacked };
}
