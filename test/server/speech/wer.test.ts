import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeWords, wordEditDistance, wordErrorRate } from '../../helpers/speech-wer.js';

test('normalizeWords ignores case and punctuation but keeps apostrophes', () => {
  assert.deepEqual(normalizeWords("Don't stop, Bob!  OK?"), ["don't", 'stop', 'bob', 'ok']);
});

test('wordEditDistance counts substitutions, deletions and insertions', () => {
  assert.equal(wordEditDistance(['a', 'b', 'c'], ['a', 'b', 'c']), 0);
  assert.equal(wordEditDistance(['a', 'b', 'c'], ['a', 'x', 'c']), 1);
  assert.equal(wordEditDistance(['a', 'b', 'c'], ['a', 'c']), 1);
  assert.equal(wordEditDistance(['a', 'b', 'c'], ['a', 'b', 'c', 'd']), 1);
  assert.equal(wordEditDistance(['a', 'b'], []), 2);
  assert.equal(wordEditDistance([], ['a']), 1);
  assert.equal(wordEditDistance(['the', 'cat', 'sat'], ['cat', 'sat', 'down']), 2);
});

test('wordErrorRate totals errors over all reference words', () => {
  const rate = wordErrorRate([
    { reference: 'The cat sat.', hypothesis: 'the cat sat' },
    { reference: 'on the mat', hypothesis: 'on a mat today' },
  ]);
  assert.equal(rate, 2 / 6);
  assert.equal(wordErrorRate([{ reference: 'one two', hypothesis: '' }]), 1);
  assert.throws(() => wordErrorRate([{ reference: '', hypothesis: 'x' }]), RangeError);
});
