/**
 * Test code (`testCode`) checked before it is composed: each language's reader (its definition's
 * `testCodeReader`, see test-code-reader.ts) says what the text runs; this decides from that
 * whether it can run a single check, and completes HumanEval's shape.
 */
import { isLanguageId, languagesById } from './registry.js';
import type { TestCodeReader, TestCodeShape } from './test-code-reader.js';

/**
 * The last text read and its shape. Every item of a batch, and every completion of a reward call,
 * that inherits a problem's testCode holds the same string: read once, not once per item (16 MiB
 * of test code is tens of milliseconds of the event loop; 10,000 items would be minutes). The
 * comparison of the same string is by reference, of an equal one a native memcmp.
 */
let lastRead: { read: (text: string) => TestCodeShape; text: string; shape: TestCodeShape } | undefined;

function shapeOf(read: (text: string) => TestCodeShape, text: string): TestCodeShape {
  if (lastRead?.read === read && lastRead.text === text) return lastRead.shape;
  const shape = read(text);
  lastRead = { read, text, shape };
  return shape;
}

/** The candidate as the value passed to check: the function, or the method of a fresh instance (as call tests do). */
function candidateExpression(reader: TestCodeReader, entryPoint: string): string {
  const dot = entryPoint.indexOf('.');
  if (dot < 0) return entryPoint;
  return reader.methodValue(entryPoint.slice(0, dot), entryPoint.slice(dot + 1));
}

/**
 * The test code to compose, or why it cannot have run a single check (a message for a 400 on
 * `testCode`). HumanEval's shape, `check` defined and never called, gets the call its own
 * harness makes, `check(<entryPoint>)`.
 */
export function completeTestCode(
  languageId: string,
  testCode: string,
  entryPoint: string | undefined,
  hasCallTests: boolean,
): { testCode: string } | { error: string } {
  const reader = isLanguageId(languageId) ? languagesById[languageId].testCodeReader : undefined;
  if (reader === undefined) return { testCode };
  const shape = shapeOf(reader.shape, testCode);
  if (shape.definesCheck && !shape.callsCheck) {
    if (entryPoint === undefined) {
      return {
        error:
          'testCode: defines check(candidate) but never calls it (HumanEval\'s harness calls check(entry_point)); set "entryPoint" to the function it tests, or end the test code with check(<function>)',
      };
    }
    return { testCode: `${testCode}\n\ncheck(${candidateExpression(reader, entryPoint)})\n` };
  }
  if (!shape.runs && !shape.runsAsMain) {
    return { error: reader.definitionsOnly };
  }
  if (!shape.runs && hasCallTests) {
    return {
      error:
        'testCode: its checks are all under if __name__ == "__main__":, which does not run when the program is imported for the function-call tests; put them at top level',
    };
  }
  return { testCode };
}
