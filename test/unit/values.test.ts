import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { valueDifference } from '../../src/domain/values.js';

describe('return values against expected ones', () => {
  it('equal JSON values, numbers by value', () => {
    assert.equal(valueDifference([1, 2.0, 'a', null, true, { x: [3] }], [1, 2, 'a', null, true, { x: [3] }]), undefined);
    assert.equal(valueDifference({ a: 1, b: 2 }, { b: 2, a: 1 }), undefined);
  });
  it('names where they differ', () => {
    assert.equal(valueDifference([1, { x: [3, 4] }], [1, { x: [3, 5] }]), '[1].x[1]');
    assert.equal(valueDifference({ a: 1 }, { a: 1, b: 2 }), '(value)');
    assert.equal(valueDifference([1, 2], [1, 2, 3]), '(value)');
    assert.equal(valueDifference('1', 1), '(value)');
    assert.equal(valueDifference(true, 1), '(value)');
    assert.equal(valueDifference(null, 0), '(value)');
  });
  it('big integers exactly, and the special floats', () => {
    assert.equal(valueDifference({ $int: '123456789012345678901' }, { $int: '123456789012345678901' }), undefined);
    assert.equal(valueDifference({ $int: '123456789012345678901' }, { $int: '123456789012345678902' }), '(value)');
    assert.equal(valueDifference({ $float: 'nan' }, { $float: 'nan' }), undefined);
    assert.equal(valueDifference({ $float: 'inf' }, { $float: '-inf' }), '(value)');
    assert.equal(valueDifference({ $float: 'inf' }, 1e308), '(value)');
  });
  it('tolerances for floats only when asked', () => {
    assert.equal(valueDifference(0.1 + 0.2, 0.3), '(value)');
    assert.equal(valueDifference(0.1 + 0.2, 0.3, { absTolerance: 1e-9 }), undefined);
    assert.equal(valueDifference([1000.0001], [1000], { relTolerance: 1e-6 }), undefined);
    assert.equal(valueDifference([1000.01], [1000], { relTolerance: 1e-6, absTolerance: 1e-6 }), '[0]');
  });
});
