import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RealFft } from '../../src/audio/real-fft.js';
import { seededRandom } from '../helpers/audio-signals.js';

function naiveDft(x: Float64Array, k: number): [number, number] {
  let re = 0; let im = 0;
  for (let t = 0; t < x.length; t++) {
    re += x[t]! * Math.cos((2 * Math.PI * k * t) / x.length);
    im -= x[t]! * Math.sin((2 * Math.PI * k * t) / x.length);
  }
  return [re, im];
}

describe('RealFft', () => {
  for (const size of [4, 8, 16, 32, 64, 256, 512, 8192]) {
    it(`matches the DFT and inverts exactly at ${size} points`, () => {
      const random = seededRandom(size);
      const x = Float64Array.from({ length: size }, () => random() * 2 - 1);
      const fft = new RealFft(size);
      const re = new Float64Array(fft.bins); const im = new Float64Array(fft.bins);
      fft.forward(x, re, im);
      for (let k = 0; k < fft.bins; k++) {
        const [r, i] = naiveDft(x, k);
        assert.ok(Math.abs(r - re[k]!) < 1e-9 && Math.abs(i - im[k]!) < 1e-9, `bin ${k}`);
      }
      const back = new Float64Array(size);
      fft.inverse(re, im, back);
      for (let t = 0; t < size; t++) assert.ok(Math.abs(back[t]! - x[t]!) < 1e-12);
    });
  }

  it('refuses sizes that are not powers of two', () => {
    assert.throws(() => new RealFft(12), /power of two/);
  });
});
