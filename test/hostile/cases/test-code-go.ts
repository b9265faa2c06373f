/** Test-code hacks in Go. */
import type { TestCodeHack } from './test-code-types.js';

export const cases: TestCodeHack[] = [];
