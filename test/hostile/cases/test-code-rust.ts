/** Test-code hacks in Rust. */
import type { TestCodeHack } from './test-code-types.js';

export const cases: TestCodeHack[] = [];
