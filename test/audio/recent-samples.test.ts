import assert from 'node:assert/strict';
import { it } from 'node:test';
import { RecentSamples } from '../../src/audio/recent-samples.js';

it('RecentSamples holds the last `length` samples in order, across its moves back to the front, and clears to zeros', () => {
  const recent = new RecentSamples(10);
  const all: number[] = [];
  let next = 1;
  const span = (): number[] => [...recent.data.subarray(recent.start, recent.start + recent.length)];
  assert.deepEqual(span(), new Array(10).fill(0));
  for (const count of [3, 4, 7, 1, 10, 2, 9, 12, 5]) {
    const block = Float64Array.from({ length: count + 2 }, () => next++);
    recent.append(block, count);
    next -= 2;
    all.push(...block.subarray(0, count));
    const expected = [...new Array(10).fill(0), ...all].slice(-10);
    assert.deepEqual(span(), expected, `after ${count}`);
  }
  recent.clear();
  assert.deepEqual(span(), new Array(10).fill(0));
});
