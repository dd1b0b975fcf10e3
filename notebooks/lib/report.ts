// A report: one self-contained HTML file (the figures' SVG inline, tables of the numbers,
// the parameters, the exact command and seed that reproduce it, and what it ran on), a PNG of
// each figure and the data behind each figure and table as CSV and JSON, all in one
// directory. Notebooks build one and write it; nothing here runs experiments.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import { type RunEnvironment, runEnvironment } from "../../cli/runEnvironment.js";
import { chartFontFiles } from "./chartFont.js";
import { TOOLTIP_SCRIPT, TOOLTIP_STYLE } from "./tooltip.js";

/** A table: column names and rows of values. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number | null)[])[];
}

interface Figure {
  readonly name: string;
  readonly caption: string;
  readonly svg: string;
  readonly data: Table;
}

interface Section {
  readonly name: string;
  readonly caption: string;
  readonly table: Table;
}

/** What reproduces a report. */
export interface Provenance {
  /** The command that writes the report again, e.g. `npx seep report lrb-scaleout`. */
  readonly command: string;
  readonly seed: number;
  /** Parameters of the experiments, shown at the top. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** What a report says it ran on, in a line: version, commit, Node, OS, CPU, load at start. */
export function environmentLine(e: RunEnvironment): string {
  const commit =
    e.gitCommit === null
      ? ""
      : ` (commit ${e.gitCommit.slice(0, 12)}${e.gitDirty === true ? ", modified" : ""})`;
  return (
    `seep-testbed ${e.seepVersion}${commit}, Node ${e.node}, ${e.os}, ${e.cores} × ${e.cpuModel}, ` +
    `load ${e.loadAverageAtStart.join(" / ")} at its start (${e.startedAt})`
  );
}

/**
 * A PNG of an SVG figure (white background), its text in DejaVu Sans from the project's own
 * font package (chartFont.ts), never the system's fonts: the same on every OS. Throws a
 * one-line error if that font is not installed, rather than drawing no text.
 */
export function svgToPng(svg: string): Uint8Array {
  return new Resvg(svg, {
    background: "white",
    font: { fontFiles: chartFontFiles(), loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
  })
    .render()
    .asPng();
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

function csvOf(t: Table): string {
  const cell = (v: string | number | null) => {
    if (v === null) return "";
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[t.columns, ...t.rows].map((r) => r.map(cell).join(",")).join("\n")}\n`;
}

function jsonOf(t: Table): string {
  return `${JSON.stringify(
    t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]]))),
    null,
    1,
  )}\n`;
}

function htmlTable(t: Table): string {
  const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = t.rows
    .map((r) => `<tr>${r.map((v) => `<td>${v === null ? "" : escapeHtml(String(v))}</td>`).join("")}</tr>`)
    .join("\n");
  return scrolling(`<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`);
}

/** A table in a box of the page's width that scrolls sideways when the table is wider. */
function scrolling(table: string): string {
  return `<div class="table-scroll">${table}</div>`;
}

/** A report being built: figures and tables in order, then `write`. */
export class Report {
  private readonly figures: Figure[] = [];
  private readonly tables: Section[] = [];
  private readonly warnings: string[] = [];
  private readonly notes: { readonly heading: string; readonly paragraphs: readonly string[] }[] = [];

  constructor(
    readonly name: string,
    readonly title: string,
    readonly summary: string,
    readonly provenance: Provenance,
  ) {}

  /** A figure (its SVG) and the data it was drawn from. */
  figure(name: string, caption: string, svg: string, data: Table): void {
    this.figures.push({ name, caption, svg, data });
  }

  /** A warning shown at the top of the report (e.g. the machine was busy while it measured). */
  warn(text: string): void {
    this.warnings.push(text);
  }

  /**
   * A section of prose after the summary, e.g. "Beside the papers": what the report
   * reproduces, the papers' figures quoted with their source, and where it agrees or differs.
   */
  note(heading: string, paragraphs: readonly string[]): void {
    this.notes.push({ heading, paragraphs });
  }

  /** A table of numbers. */
  table(name: string, caption: string, table: Table): void {
    this.tables.push({ name, caption, table });
  }

  /**
   * Write index.html, figures/<name>.png, data/<name>.csv|json and data/environment.json (what
   * it ran on: `environment`, taken when its runs began, or now) into `dir`; returns the HTML's path.
   */
  write(dir: string, environment: RunEnvironment = runEnvironment()): string {
    mkdirSync(join(dir, "figures"), { recursive: true });
    mkdirSync(join(dir, "data"), { recursive: true });
    for (const f of this.figures) {
      writeFileSync(join(dir, "figures", `${f.name}.png`), svgToPng(f.svg));
      writeFileSync(join(dir, "data", `${f.name}.csv`), csvOf(f.data));
      writeFileSync(join(dir, "data", `${f.name}.json`), jsonOf(f.data));
    }
    for (const t of this.tables) {
      writeFileSync(join(dir, "data", `${t.name}.csv`), csvOf(t.table));
      writeFileSync(join(dir, "data", `${t.name}.json`), jsonOf(t.table));
    }
    writeFileSync(join(dir, "data", "environment.json"), `${JSON.stringify(environment, null, 2)}\n`);
    const p = this.provenance;
    const params = Object.entries(p.parameters)
      .map(
        ([k, v]) =>
          `<tr><th>${escapeHtml(k)}</th><td><code>${escapeHtml(JSON.stringify(v))}</code></td></tr>`,
      )
      .join("\n");
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(this.title)}</title>
<style>
body { font-family: "DejaVu Sans", sans-serif; max-width: 980px; margin: 2em auto; color: #222; }
.table-scroll { overflow-x: auto; max-width: 100%; margin: 0.5em 0 1.5em; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { white-space: normal; min-width: 4em; }
th { background: #f4f4f4; }
figure { margin: 1.5em 0; overflow-x: auto; }
figcaption { font-size: 13px; color: #444; }
code { font-size: 12px; }
.warning { background: #fff3cd; border: 1px solid #e0c36a; padding: 6px 10px; }
${TOOLTIP_STYLE}
</style></head>
<body>
<h1>${escapeHtml(this.title)}</h1>
<p>${escapeHtml(this.summary)}</p>
${this.warnings.map((w) => `<p class="warning"><strong>Warning:</strong> ${escapeHtml(w)}</p>`).join("\n")}
${this.notes
  .map(
    (n) =>
      `<h2>${escapeHtml(n.heading)}</h2>\n${n.paragraphs.map((x) => `<p>${escapeHtml(x)}</p>`).join("\n")}`,
  )
  .join("\n")}
<h2>Reproduce</h2>
<p><code>${escapeHtml(p.command)}</code> &mdash; seed ${p.seed}</p>
<p>Ran on: ${escapeHtml(environmentLine(environment))} (<a href="data/environment.json">JSON</a>)</p>
${scrolling(`<table>${params}</table>`)}
${this.figures
  .map(
    (f) =>
      `<figure id="${f.name}">\n${f.svg}\n<figcaption>${escapeHtml(f.caption)} (<a href="figures/${f.name}.png">PNG</a>, <a href="data/${f.name}.csv">CSV</a>, <a href="data/${f.name}.json">JSON</a>)</figcaption>\n</figure>`,
  )
  .join("\n")}
${this.tables
  .map(
    (t) =>
      `<h2 id="${t.name}">${escapeHtml(t.caption)}</h2>\n${htmlTable(t.table)}\n<p>(<a href="data/${t.name}.csv">CSV</a>, <a href="data/${t.name}.json">JSON</a>)</p>`,
  )
  .join("\n")}
<script>
${TOOLTIP_SCRIPT}
</script>
</body></html>
`;
    const path = join(dir, "index.html");
    writeFileSync(path, html);
    return path;
  }
}
