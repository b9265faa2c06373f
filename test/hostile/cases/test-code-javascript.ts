/** Test-code hacks in JavaScript and TypeScript. */
import type { TestCodeHack } from './test-code-types.js';

export const cases: TestCodeHack[] = [];
