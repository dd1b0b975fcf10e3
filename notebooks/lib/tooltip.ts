// Hover tooltips of a report's figures: a small script inlined in the report's HTML (no
// network, no file of its own). Over a figure (svg.chart, chart.ts) it shows the series, x and
// y of the data point under the pointer (a point marker, a sample, a whisker) or else of the
// nearest vertex of a line within a few pixels, read from the data-* attributes chart.ts
// writes: data-name, data-x, data-y, data-low, data-high, data-px, data-py on points and
// whiskers, and data-points ([x, y, px, py] per vertex) on lines.

/** The tooltip's id in the page. */
export const TOOLTIP_ID = "chart-tooltip";

/** The tooltip's look. */
export const TOOLTIP_STYLE = `#${TOOLTIP_ID} { position: fixed; z-index: 10; pointer-events: none; background: #fff; border: 1px solid #888; border-radius: 3px; padding: 3px 6px; font-size: 12px; white-space: pre; box-shadow: 0 1px 3px rgba(0,0,0,0.2); }`;

/** The script, run once the page is parsed (it goes at the end of the body). */
export const TOOLTIP_SCRIPT = `(() => {
  "use strict";
  const NEAR_PX = 10;
  const tip = document.createElement("div");
  tip.id = "${TOOLTIP_ID}";
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  document.body.appendChild(tip);
  const points = new WeakMap();
  const ofElement = (e) => ({
    name: e.dataset.name, kind: e.dataset.kind, x: e.dataset.x, y: e.dataset.y,
    low: e.dataset.low, high: e.dataset.high, px: Number(e.dataset.px), py: Number(e.dataset.py),
  });
  const pointsOf = (svg) => {
    let all = points.get(svg);
    if (all !== undefined) return all;
    all = [];
    for (const p of svg.querySelectorAll("path.series[data-points]"))
      for (const [x, y, px, py] of JSON.parse(p.getAttribute("data-points")))
        all.push({ name: p.dataset.name, kind: "vertex", x: String(x), y: String(y), px, py });
    for (const e of svg.querySelectorAll("[data-px]")) all.push(ofElement(e));
    points.set(svg, all);
    return all;
  };
  const text = (svg, p) => {
    const xLabel = svg.dataset.xLabel || "x";
    const yLabel = svg.dataset.yLabel || "y";
    const lines = [p.name, xLabel + ": " + p.x];
    if (p.y !== undefined) lines.push(yLabel + ": " + p.y + (p.kind === "sample" ? " (one seed)" : ""));
    if (p.low !== undefined && p.high !== undefined) lines.push("95% interval: " + p.low + " to " + p.high);
    return lines.join("\\n");
  };
  const show = (svg, p, event) => {
    tip.textContent = text(svg, p);
    tip.hidden = false;
    const x = Math.min(event.clientX + 14, window.innerWidth - tip.offsetWidth - 4);
    const y = Math.min(event.clientY + 14, window.innerHeight - tip.offsetHeight - 4);
    tip.style.left = Math.max(0, x) + "px";
    tip.style.top = Math.max(0, y) + "px";
  };
  const nearest = (svg, event) => {
    const m = svg.getScreenCTM();
    if (m === null) return undefined;
    const at = new DOMPoint(event.clientX, event.clientY).matrixTransform(m.inverse());
    let best;
    let bestD = NEAR_PX;
    for (const p of pointsOf(svg)) {
      const d = Math.hypot(p.px - at.x, p.py - at.y);
      if (d <= bestD) { best = p; bestD = d; }
    }
    return best;
  };
  const onPointer = (event) => {
    const t = event.target;
    const svg = t instanceof Element ? t.closest("svg.chart") : null;
    if (svg === null) { tip.hidden = true; return; }
    const own = t.closest("[data-px]");
    const p = own !== null ? ofElement(own) : nearest(svg, event);
    if (p === undefined) tip.hidden = true;
    else show(svg, p, event);
  };
  document.addEventListener("mouseover", onPointer);
  document.addEventListener("mousemove", onPointer);
  document.addEventListener("mouseleave", () => { tip.hidden = true; });
})();`;
