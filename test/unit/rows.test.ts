/** The CLI's dataset-row reader against the shared cases (the Python client runs the same ones). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { problemFromRow, RowError } from '../../src/cli/rows.js';

interface Case {
  name: string;
  row: unknown;
  language?: string;
  program?: string;
  problem?: Record<string, unknown>;
  refused?: string;
}

const cases = JSON.parse(readFileSync(new URL('../fixtures/rows/cases.json', import.meta.url), 'utf8')) as Case[];

describe('dataset rows (test/fixtures/rows/cases.json)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const read = () => problemFromRow(c.row, { language: c.language, program: c.program });
      if (c.refused !== undefined) assert.throws(read, (err: unknown) => err instanceof RowError && err.message === c.refused);
      else assert.deepStrictEqual(read(), c.problem);
    });
  }
});
