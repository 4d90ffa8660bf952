import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DelayLine } from '../../src/audio/delay-line.js';
import { seededRandom } from '../helpers/audio-signals.js';

/** What the line must give: each sample looked up alone, 0 where nothing is held; a fractional delay through 16 Blackman-windowed sinc taps. */
function naiveRead(history: number[], capacity: number, delay: number, length: number): Float64Array {
  const written = history.length;
  const sample = (index: number): number => (index >= 0 && index < written && written - index <= capacity ? history[index]! : 0);
  const whole = Math.floor(delay);
  const fraction = delay - whole;
  const out = new Float64Array(length);
  const first = written - whole - length;
  if (fraction < 1e-6) {
    for (let i = 0; i < length; i++) out[i] = sample(first + i);
    return out;
  }
  const taps: number[] = [];
  for (let t = 0; t < 16; t++) {
    const x = t - 8 + fraction;
    const sinc = Math.abs(x) < 1e-12 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const phase = (Math.PI * (x + 8)) / 8;
    taps.push(sinc * (0.42 - 0.5 * Math.cos(phase) + 0.08 * Math.cos(2 * phase)));
  }
  const sum = taps.reduce((a, b) => a + b, 0);
  for (let i = 0; i < length; i++) {
    let acc = 0;
    for (let t = 0; t < 16; t++) acc += (taps[t]! / sum) * sample(first + i - 8 + t);
    out[i] = acc;
  }
  return out;
}

describe('DelayLine', () => {
  it('reads whole and fractional delays as a sample-by-sample lookup would, across the ring\'s wrap and its ends', () => {
    const random = seededRandom(11);
    for (const capacity of [100, 257, 1000]) {
      const line = new DelayLine(capacity);
      const history: number[] = [];
      for (let block = 0; block < 40; block++) {
        const size = 1 + Math.floor(random() * 90);
        const samples = Float64Array.from({ length: size }, () => Math.round((random() * 2 - 1) * 20000));
        line.write(samples);
        history.push(...samples);
        for (const delay of [0, 8, 17, capacity - 40, capacity + 5, 9.25, 30.5, capacity - 30.75, 3 * capacity]) {
          const length = 1 + Math.floor(random() * 64);
          const out = new Float64Array(length);
          line.read(delay, out);
          const expected = naiveRead(history, capacity, delay, length);
          for (let i = 0; i < length; i++) {
            assert.ok(Math.abs(out[i]! - expected[i]!) <= 1e-9 * Math.max(1, Math.abs(expected[i]!)), `capacity ${capacity}, block ${block}, delay ${delay}, sample ${i}: ${out[i]} ≠ ${expected[i]}`);
          }
        }
      }
    }
  });

  it('writes a block out of a longer array (offset, count) as it writes the block alone', () => {
    const whole = new DelayLine(1000);
    const pieces = new DelayLine(1000);
    for (let block = 0; block < 9; block++) {
      const samples = Float64Array.from({ length: 256 }, (_, i) => block * 1000 + i);
      const longer = new Float64Array(600);
      longer.set(samples, 77);
      whole.write(samples);
      pieces.write(longer, 77, 256);
    }
    const [a, b] = [new Float64Array(900), new Float64Array(900)];
    whole.read(0, a);
    pieces.read(0, b);
    assert.deepEqual(b, a);
  });

  it('gives exactly the samples written for a whole delay', () => {
    const line = new DelayLine(64);
    line.write(Float64Array.from({ length: 50 }, (_, i) => i + 1));
    line.write(Float64Array.from({ length: 30 }, (_, i) => 51 + i));
    const out = new Float64Array(10);
    line.read(5, out);
    assert.deepEqual([...out], [66, 67, 68, 69, 70, 71, 72, 73, 74, 75]);
    line.read(60, out);
    assert.deepEqual([...out], [0, 0, 0, 0, 0, 0, 17, 18, 19, 20]);
  });
});
