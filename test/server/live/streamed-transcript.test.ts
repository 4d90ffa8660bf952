import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignedEnd, StreamedTranscript } from '../../../src/server/live/streamed-transcript.js';

test('the first words go out once two guesses in a row agree on them; later ones when they are followed by three more agreed words; settled words at once; each word once', () => {
  const turn = new StreamedTranscript();
  assert.equal(turn.heard({ settled: '', tentative: 'i want' }), '', 'a first guess is not sent');
  assert.equal(turn.heard({ settled: '', tentative: 'i would like' }), 'i', 'the first agreed word goes at once');
  assert.equal(turn.heard({ settled: '', tentative: 'i would like a cup' }), '', 'later agreed words wait while they are among the last three');
  assert.equal(turn.heard({ settled: '', tentative: 'i would like a cup of' }), ' would', 'five agreed, the last three held back');
  assert.equal(turn.heard({ settled: 'i would like a cup of coffee', tentative: '' }), ' like a cup of coffee', 'a segment decoded in full is settled');
  assert.equal(turn.heard({ settled: 'i would like a cup of coffee', tentative: 'with' }), '');
  assert.equal(turn.final('i would like a cup of coffee with milk'), ' with milk', 'the turn end sends the rest');
  assert.equal(turn.text, 'i would like a cup of coffee with milk');
  assert.equal(turn.final('i would like a cup of coffee with milk'), '', 'and nothing twice');
});

test('revised words stay as sent; only the words after them go out', () => {
  const turn = new StreamedTranscript();
  turn.heard({ settled: '', tentative: 'coffee with real' });
  assert.equal(turn.heard({ settled: '', tentative: 'coffee with real cold' }), 'coffee with real');
  assert.equal(turn.heard({ settled: '', tentative: 'coffee with milk and' }), '', 'a later guess that revises sent words adds nothing before it is agreed');
  assert.equal(turn.final('coffee with milk and some bread'), ' and some bread');
  assert.equal(turn.text, 'coffee with real and some bread');
  const shorter = new StreamedTranscript();
  shorter.heard({ settled: '', tentative: 'the the the' });
  shorter.heard({ settled: '', tentative: 'the the the' });
  shorter.heard({ settled: '', tentative: 'the the the cat' });
  assert.equal(shorter.final('the cat'), '', 'a final shorter than what was sent adds nothing');
});

test('a turn with nothing streamed sends its final words whole; an empty one sends nothing', () => {
  assert.equal(new StreamedTranscript().final('hello from the test'), 'hello from the test');
  assert.equal(new StreamedTranscript().final(''), '');
});

test('alignment: the prefix of the new words closest to the sent ones, the longer one on a tie', () => {
  assert.equal(alignedEnd(['a', 'b'], ['a', 'b', 'c']), 2);
  assert.equal(alignedEnd(['a', 'x'], ['a', 'b', 'c', 'd']), 2);
  assert.equal(alignedEnd(['we\'re', 'is', 'the', 'near', 'east'], 'where is the nearest train station'.split(' ')), 5);
  assert.equal(alignedEnd([], ['a']), 0);
});
