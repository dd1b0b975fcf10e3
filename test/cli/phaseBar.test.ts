// The progress bars of phased work (`seep lrb generate`, `seep lrb rate`): a bar per
// phase, each drawn with its label and unit, ended when the next phase starts, and
// removed when asked, so that the output that follows starts on a clean line.

import { describe, expect, it } from "vitest";
import { PhaseBars } from "../../cli/phaseBar.js";

/** A terminal of 100 columns that keeps what is written to it. */
function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  let written = "";
  const stream = {
    isTTY: true,
    columns: 100,
    write: (s: string) => {
      written += s;
      return true;
    },
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    clearScreenDown: () => true,
    on: () => stream,
    removeListener: () => stream,
  };
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => written };
}

describe("PhaseBars", () => {
  it("draws a bar per phase, with its label, value, total and unit", () => {
    const { stream, text } = terminal();
    const bars = new PhaseBars(stream);
    bars.update("records", 0, 600, "s event time");
    bars.update("records", 600, 600, "s event time");
    bars.update("tolls  ", 5, 10, "cars");
    bars.stop();
    expect(text()).toMatch(/records .* 100% \| 600\/600 s event time \| [\d.]+ s wall/);
    expect(text()).toMatch(/tolls {3}.* 50% \| 5\/10 cars/);
    expect(text().indexOf("records")).toBeLessThan(text().indexOf("tolls"));
  });

  it("keeps values within the bar", () => {
    const { stream, text } = terminal();
    const bars = new PhaseBars(stream);
    bars.update("run", -3, 60, "s of the window");
    bars.update("run", 75, 60, "s of the window");
    bars.stop();
    expect(text()).not.toMatch(/-3\/60|75\/60/);
    expect(text()).toMatch(/60\/60 s of the window/);
  });
});
