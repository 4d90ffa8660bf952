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

  for (const size of [4, 8, 512]) {
    it(`gives the same numbers interleaved, from half a signal and for part of the output, at ${size} points`, () => {
      const random = seededRandom(size + 1);
      const fft = new RealFft(size);
      const half = Float64Array.from({ length: size / 2 }, () => random() * 2 - 1);
      for (const zerosFirst of [true, false]) {
        const padded = new Float64Array(size);
        padded.set(half, zerosFirst ? size / 2 : 0);
        const re = new Float64Array(fft.bins); const im = new Float64Array(fft.bins);
        fft.forward(padded, re, im);
        const interleaved = new Float64Array(3 + 2 * fft.bins);
        fft.forwardInterleaved(padded, interleaved, 3);
        const fromHalf = new Float64Array(3 + 2 * fft.bins);
        fft.forwardHalfInterleaved(half, zerosFirst, fromHalf, 3);
        for (let k = 0; k < fft.bins; k++) {
          assert.equal(interleaved[3 + 2 * k], re[k]); assert.equal(interleaved[4 + 2 * k], im[k]);
          assert.equal(fromHalf[3 + 2 * k], re[k]); assert.equal(fromHalf[4 + 2 * k], im[k]);
        }
        const back = new Float64Array(size);
        fft.inverse(re, im, back);
        const whole = new Float64Array(size);
        fft.inverseInterleaved(interleaved, 3, whole);
        assert.deepEqual(whole, back);
        const secondHalf = new Float64Array(size / 2);
        fft.inverseInterleaved(interleaved, 3, secondHalf, size / 2, size / 2);
        assert.deepEqual(secondHalf, back.subarray(size / 2));
      }
    });
  }

  it('refuses sizes that are not powers of two', () => {
    assert.throws(() => new RealFft(12), /power of two/);
  });
});
