/** Test-code hacks in Java. */
import type { TestCodeHack } from './test-code-types.js';

export const cases: TestCodeHack[] = [];
