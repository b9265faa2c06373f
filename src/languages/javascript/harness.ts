import { checkFailedMarker, type HarnessComposer } from '../compose.js';

/**
 * JavaScript and TypeScript: the marker is written on 'beforeExit', which Node
 * emits only once the event loop is empty — after asynchronous tests too — and
 * never on process.exit() or a crash. A failed console.assert throws in the
 * sandbox, so a failing test never gets that far with exit code 0.
 * Between the candidate's code and the test code, a monitor of uncaught errors
 * learns its own position in the file as run (tsc's output for TypeScript): an
 * AssertionError (node:assert, console.assert, chai) whose innermost frame in
 * this file lies past it was thrown by the test code.
 */
export function esHarness(file: 'main.js' | 'main.ts'): HarnessComposer {
  return ({ source, testCode, marker }) => ({
    files: [
      {
        path: file,
        content: `${source}\n\n${jsCheckMonitor(checkFailedMarker(marker))}\n${testCode}\n\nprocess.once('beforeExit', () => {\n  process.stdout.write('\\n${marker}\\n');\n});\n`,
      },
    ],
  });
}

/**
 * The monitor, valid as JavaScript and as TypeScript. Frames are read after the error's message,
 * which may quote values the candidate returned (an assert's diff) and so hold text like a frame.
 */
function jsCheckMonitor(failed: string): string {
  return `;(() => {
  const innermost = (stack, skip, file) => {
    const text = String(stack);
    const from = skip === '' ? 0 : Math.max(0, text.indexOf(skip) + skip.length);
    for (const line of text.slice(from).split('\\n')) {
      const m = /^ +at (?:.* \\()?(\\/[^():]+):(\\d+):\\d+\\)?$/.exec(line);
      if (m && (file === undefined || m[1] === file)) return { file: m[1], line: Number(m[2]) };
    }
    return undefined;
  };
  const here = innermost(new Error().stack, '', undefined);
  process.on('uncaughtExceptionMonitor', (error) => {
    if (!(error instanceof Error) || here === undefined) return;
    const name = String(error.name);
    const at = innermost(error.stack, String(error.message), here.file);
    if ((name === 'AssertionError' || name.startsWith('AssertionError [')) && at !== undefined && at.line > here.line) {
      process.stdout.write('\\n${failed}\\n');
    }
  });
})();`;
}
