import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DecimatedHistory } from '../../src/audio/decimated-history.js';
import { Decimator } from '../../src/audio/decimator.js';
import { RecentSamples } from '../../src/audio/recent-samples.js';
import { seededRandom } from '../helpers/audio-signals.js';

const span = (recent: RecentSamples): number[] => [...recent.data.subarray(recent.start, recent.start + recent.length)];

/** The history decimated as every block came: what the delay estimator did before. */
class EagerHistory {
  readonly decimator: Decimator;
  readonly recent: RecentSamples;
  private readonly out = new Float64Array(4096);
  constructor(factor: number, length: number) {
    this.decimator = new Decimator(factor);
    this.recent = new RecentSamples(length);
  }
  append(samples: Float64Array): number {
    const count = this.decimator.push(samples, this.out);
    this.recent.append(this.out, count);
    return count;
  }
}

it('DecimatedHistory reads, to the bit, what decimating every block as it came gives: after short gaps, gaps longer than the history, and clears', () => {
  const random = seededRandom(11);
  const factor = 6; const length = 300;
  const lazy = new DecimatedHistory(factor, length);
  const eager = new EagerHistory(factor, length);
  // Reads after every block, after a few, and after ten times the history went by unread.
  const gaps = [1, 1, 3, 1, 40, 2, 1, 200, 1, 7, 1, 1, 90, 1];
  for (const [round, gap] of gaps.entries()) {
    for (let b = 0; b < gap; b++) {
      const block = Float64Array.from({ length: 50 + Math.floor(random() * 300) }, () => Math.round((random() * 2 - 1) * 20000));
      assert.equal(lazy.append(block), eager.append(block), 'the same count of decimated samples');
    }
    if (round === 9) { lazy.clear(); eager.recent.clear(); }
    assert.deepEqual(span(lazy.read()), span(eager.recent), `read ${round} (after ${gap} blocks)`);
  }
});

it('DecimatedHistory reads zeros after a clear, and keeps decimating from where the stream is (the low-pass carries on)', () => {
  const lazy = new DecimatedHistory(4, 16);
  const eager = new EagerHistory(4, 16);
  const tone = Float64Array.from({ length: 100 }, (_, i) => 1000 * Math.sin(i / 3));
  lazy.append(tone); eager.append(tone);
  lazy.clear(); eager.recent.clear();
  assert.deepEqual(span(lazy.read()), new Array(16).fill(0));
  const more = tone.subarray(0, 10);
  lazy.append(more); eager.append(more);
  assert.deepEqual(span(lazy.read()), span(eager.recent));
});

it('DecimatedHistory takes a block out of a longer array (offset, count) as it takes the block alone, across the ring\'s wrap', () => {
  const random = seededRandom(11);
  const whole = new DecimatedHistory(6, 300);
  const pieces = new DecimatedHistory(6, 300);
  for (let block = 0; block < 40; block++) {
    const samples = Int16Array.from({ length: 256 }, () => Math.round((random() - 0.5) * 20000));
    const longer = new Int16Array(700);
    longer.set(samples, 123);
    assert.equal(pieces.append(longer, 123, 256), whole.append(samples));
  }
  assert.deepEqual(span(pieces.read()), span(whole.read()));
});
