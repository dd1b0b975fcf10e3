// The `seep` command line: builds the program (program.ts) and turns every failure into
// an exit code (see errors.ts).

import { reportError } from "./errors.js";
import { buildProgram } from "./program.js";

// A reader that stops early (`seep demo | head`) is not an error: stop quietly.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
  process.exit(0);
});

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err, (text) => process.stderr.write(text));
}
