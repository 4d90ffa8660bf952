import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlaybackTape } from '../../src/audio/playback-tape.js';

test('reads back what sounded when, silence where nothing did', () => {
  const tape = new PlaybackTape(1000);
  tape.record(Int16Array.from([1, 2, 3]), 10);
  tape.record(Int16Array.from([7, 8]), 20);
  assert.deepEqual([...tape.read(8, 16)], [0, 0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 7, 8, 0, 0]);
});

test('a cut drops what had not sounded yet', () => {
  const tape = new PlaybackTape(1000);
  tape.record(Int16Array.from([1, 2, 3, 4, 5]), 0);
  tape.cut(2);
  assert.deepEqual([...tape.read(0, 6)], [1, 2, 0, 0, 0, 0]);
  tape.record(Int16Array.from([9]), 4);
  assert.deepEqual([...tape.read(0, 6)], [1, 2, 0, 0, 9, 0]);
});

test('forgets what is older than its capacity', () => {
  const tape = new PlaybackTape(1000, 0.01);
  tape.record(Int16Array.from({ length: 30 }, (_, i) => i + 1), 0);
  assert.deepEqual([...tape.read(0, 3)], [0, 0, 0]);
  assert.deepEqual([...tape.read(27, 3)], [28, 29, 30]);
});
