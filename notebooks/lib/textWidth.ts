// How wide a line of text is in DejaVu Sans, the charts' font, estimated without a browser
// (the charts are drawn on a linkedom document, which lays nothing out): the advance of each
// character from DejaVu Sans's metrics, in em, rounded up. Charts place their margins, legends
// and labels with it, and wrap text that would not fit.

/** Advance widths of DejaVu Sans (regular), in em, of the characters the charts mostly show. */
const ADVANCE_EM: Readonly<Record<string, number>> = {
  " ": 0.318,
  ".": 0.318,
  ",": 0.318,
  ":": 0.337,
  ";": 0.337,
  "'": 0.275,
  '"': 0.401,
  "!": 0.401,
  "|": 0.337,
  "(": 0.39,
  ")": 0.39,
  "[": 0.39,
  "]": 0.39,
  "/": 0.337,
  "-": 0.361,
  "–": 0.5,
  "—": 1,
  "%": 0.95,
  "×": 0.838,
  "+": 0.838,
  "=": 0.838,
  "<": 0.838,
  ">": 0.838,
  "→": 0.838,
  "≈": 0.838,
  "#": 0.838,
  "@": 1,
  i: 0.278,
  j: 0.278,
  l: 0.278,
  f: 0.352,
  t: 0.392,
  r: 0.411,
  s: 0.521,
  z: 0.525,
  c: 0.55,
  k: 0.579,
  v: 0.592,
  x: 0.592,
  y: 0.592,
  m: 0.974,
  w: 0.818,
  I: 0.295,
  J: 0.295,
  L: 0.557,
  F: 0.575,
  P: 0.603,
  T: 0.611,
  Y: 0.611,
  E: 0.632,
  S: 0.635,
  K: 0.656,
  M: 0.863,
  W: 0.989,
  O: 0.787,
  Q: 0.787,
  G: 0.775,
  D: 0.77,
};

/** Any other digit, letter or sign: digits are 0.636 em, most lower-case letters 0.61-0.64, capitals up to 0.75. */
const LOWER_EM = 0.64;
const UPPER_EM = 0.75;
/** Bold is wider: DejaVu Sans Bold's digits are 0.696 em against 0.636, its narrow letters 0.07 em wider ("i" 0.343 against 0.278). */
const BOLD_FACTOR = 1.12;
const BOLD_EXTRA_EM = 0.07;
/** A margin on every estimate, so that a layout made with it holds in a browser's own metrics. */
const SAFETY = 1.04;

/** Height of a line of text, in font sizes: DejaVu Sans's ascent (0.928) and descent (0.236) fit in it. */
export const LINE_HEIGHT_EM = 1.25;
/** How far a glyph's top can rise above the baseline, in font sizes. */
export const ASCENT_EM = 0.93;
/** How far a glyph's bottom can fall below the baseline, in font sizes. */
export const DESCENT_EM = 0.24;

/** Estimated width in pixels of `text` set in DejaVu Sans at `fontSizePx`. */
export function textWidthPx(text: string, fontSizePx: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    const regular = ADVANCE_EM[ch] ?? (ch >= "A" && ch <= "Z" ? UPPER_EM : LOWER_EM);
    em += bold ? Math.max(regular * BOLD_FACTOR, regular + BOLD_EXTRA_EM) : regular;
  }
  return em * fontSizePx * SAFETY;
}

/**
 * `text` in lines no wider than `maxWidthPx`, broken at spaces (a word longer than a line is
 * broken inside, at the last character that fits).
 */
export function wrapText(text: string, maxWidthPx: number, fontSizePx: number, bold = false): string[] {
  const fits = (s: string) => textWidthPx(s, fontSizePx, bold) <= maxWidthPx;
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    const joined = line === "" ? word : `${line} ${word}`;
    if (fits(joined)) {
      line = joined;
      continue;
    }
    if (line !== "") lines.push(line);
    line = word;
    while (!fits(line) && line.length > 1) {
      let cut = line.length - 1;
      while (cut > 1 && !fits(line.slice(0, cut))) cut--;
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
    }
  }
  if (line !== "" || lines.length === 0) lines.push(line);
  return lines;
}
