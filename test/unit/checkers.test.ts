import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, type CheckerOptions } from '../../src/domain/checkers.js';

const opts = (mode: CheckerOptions['mode'], absTolerance = 1e-6, relTolerance = 1e-6): CheckerOptions => ({ mode, absTolerance, relTolerance });
const run = (actual: string, expected: string, o: CheckerOptions) => check(Buffer.from(actual), Buffer.from(expected), o);

describe('exact checker', () => {
  it('accepts identical bytes only', async () => {
    assert.equal((await run('1 2\n', '1 2\n', opts('exact'))).ok, true);
    assert.equal((await run('1 2', '1 2\n', opts('exact'))).ok, false);
    assert.equal((await run('1 2 \n', '1 2\n', opts('exact'))).ok, false);
  });
  it('names the first differing byte', async () => {
    assert.equal((await run('abc', 'abd', opts('exact'))).message, 'first difference at byte 2');
  });
});

describe('lines checker (the default)', () => {
  it('ignores trailing whitespace on each line and trailing blank lines', async () => {
    assert.equal((await run('1 2  \r\n3\t\n\n\n', '1 2\n3', opts('lines'))).ok, true);
  });
  it('keeps leading and inner whitespace significant', async () => {
    assert.equal((await run(' 1 2\n', '1 2\n', opts('lines'))).ok, false);
    assert.equal((await run('1  2\n', '1 2\n', opts('lines'))).ok, false);
  });
  it('treats a missing or an extra line as wrong', async () => {
    assert.equal((await run('1\n', '1\n2\n', opts('lines'))).message, 'expected 2 lines, got 1');
    assert.equal((await run('1\n\n2\n', '1\n2\n', opts('lines'))).ok, false);
  });
  it('says which line differs', async () => {
    assert.equal((await run('a\nb\n', 'a\nc\n', opts('lines'))).message, 'line 2: expected "c", got "b"');
  });
});

describe('tokens checker', () => {
  it('ignores any whitespace between tokens', async () => {
    assert.equal((await run('1\n2   3\t\n', ' 1 2\n3', opts('tokens'))).ok, true);
  });
  it('rejects different tokens and counts', async () => {
    assert.equal((await run('1 2', '1 3', opts('tokens'))).ok, false);
    assert.equal((await run('1 2 3', '1 2', opts('tokens'))).message, 'expected 2 tokens, got 3');
  });
});

describe('float checker', () => {
  it('accepts numbers within the absolute tolerance', async () => {
    assert.equal((await run('0.3000001', '0.3', opts('float', 1e-6, 0))).ok, true);
    assert.equal((await run('0.30001', '0.3', opts('float', 1e-6, 0))).ok, false);
  });
  it('accepts numbers within the relative tolerance', async () => {
    assert.equal((await run('1000001', '1000000', opts('float', 0, 1e-6))).ok, true);
    assert.equal((await run('1000100', '1000000', opts('float', 0, 1e-6))).ok, false);
  });
  it('understands scientific notation and signs', async () => {
    assert.equal((await run('-1.5e3', '-1500.0000001', opts('float'))).ok, true);
  });
  it('compares non-numeric tokens exactly', async () => {
    assert.equal((await run('YES 1.0', 'YES 1', opts('float'))).ok, true);
    assert.equal((await run('yes 1.0', 'YES 1', opts('float'))).ok, false);
    assert.equal((await run('nan', 'nan', opts('float'))).ok, true);
    assert.equal((await run('inf', '1e400', opts('float'))).ok, false);
  });
});
