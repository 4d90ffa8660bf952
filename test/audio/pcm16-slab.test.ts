import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pcm16Slab } from '../../src/audio/pcm16-slab.js';

test('hands out Buffers of whole samples at even offsets, each its own memory, never reused', () => {
  const slab = new Pcm16Slab(64);
  const taken = [3, 10, 1, 16, 5, 7].map((samples) => slab.take(samples));
  assert.deepEqual(taken.map((b) => b.length), [6, 20, 2, 32, 10, 14]);
  taken.forEach((b, i) => b.fill(i + 1));
  taken.forEach((b, i) => {
    assert.equal(b.byteOffset % 2, 0, `chunk ${i} at an even offset`);
    assert.ok(b.every((byte) => byte === i + 1), `chunk ${i} kept what was written to it`);
    new Int16Array(b.buffer, b.byteOffset, b.length / 2).fill(-1);
    assert.ok(taken.every((other, j) => j === i || other.every((byte) => byte === j + 1)), `writing chunk ${i} left the others alone`);
    b.fill(i + 1);
  });
  // 6 + 20 + 2 + 32 fill the first 64 bytes: the next ones come from a new slab.
  assert.equal(taken[3]!.buffer, taken[0]!.buffer);
  assert.notEqual(taken[4]!.buffer, taken[0]!.buffer);
});

test('a chunk larger than the slab gets memory of its own', () => {
  const slab = new Pcm16Slab(64);
  const small = slab.take(4);
  const large = slab.take(100);
  assert.equal(large.length, 200);
  assert.notEqual(large.buffer, small.buffer);
  assert.equal(slab.take(4).buffer, small.buffer, 'the slab goes on where it was');
});
