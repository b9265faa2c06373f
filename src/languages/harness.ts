/**
 * The test-code harness as the judge asks for it: each language's composer lives in its own
 * folder (see compose.ts for what every composer does); this looks it up by language id.
 */
import { isLanguageId, languages, languagesById } from './registry.js';
import type { HarnessComposer, HiddenMarker } from './compose.js';

export { checkFailedMarker } from './compose.js';

/** The file a test file's harness adds, for an entry built as a test binary; undefined when it gets none. */
export function testFileHarness(
  languageId: string,
  entry: string,
  files: ReadonlyArray<{ path: string; content: string }>,
  proof: HiddenMarker,
): { path: string; content: string } | undefined {
  return isLanguageId(languageId) ? languagesById[languageId].testFileHarness?.(entry, files, proof) : undefined;
}

export function harnessFor(languageId: string): HarnessComposer | undefined {
  return isLanguageId(languageId) ? languagesById[languageId].harness : undefined;
}

/** Languages that take `testCode`: composed into the program (`harness`) or run beside it (`trustedTestCode`). */
export const harnessLanguages = languages.filter((l) => l.harness !== undefined || l.trustedTestCode !== undefined).map((l) => l.id);
