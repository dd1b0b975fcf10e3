// The font the PNGs of the figures are drawn with: DejaVu Sans (regular, and bold for the
// titles) from the npm package dejavu-fonts-ttf, a dependency of the project, found where
// node resolves the package, never in a system font directory, so that a PNG's text is the
// same on every OS and never silently missing. (DejaVu's licence is the Bitstream Vera one:
// free to use and redistribute.)

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { UserError } from "../../cli/errors.js";

/** The package that ships the font. */
export const FONT_PACKAGE = "dejavu-fonts-ttf";
/** Its files the charts use: regular text and bold titles. */
const FONT_FILES = ["ttf/DejaVuSans.ttf", "ttf/DejaVuSans-Bold.ttf"];

const require = createRequire(import.meta.url);

/**
 * Paths of the charts' font files, found by `resolve` (node's, from here); a one-line error
 * if the package is not installed.
 */
export function chartFontFiles(resolve: (id: string) => string = require.resolve): string[] {
  return FONT_FILES.map((file) => {
    let path: string | undefined;
    try {
      path = resolve(`${FONT_PACKAGE}/${file}`);
    } catch {
      path = undefined;
    }
    if (path === undefined || !existsSync(path))
      throw new UserError(
        `the figures' font ${file} of the npm package ${FONT_PACKAGE} is missing: run npm install (PNGs would have no text)`,
      );
    return path;
  });
}
