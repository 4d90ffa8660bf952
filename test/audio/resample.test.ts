import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downmixToMono, resample, StreamingResampler } from '../../src/audio/resample.js';
import { amplitudeDb, seededRandom, sine, toneAmplitude } from '../helpers/audio-signals.js';

const COMMON_RATES = [8000, 16000, 22050, 24000, 44100, 48000];

/** Skips the filter's start and end transients, where a tone has not fully built up. */
function middle(samples: Int16Array, rate: number): Int16Array {
  const edge = Math.round(rate * 0.05);
  return samples.subarray(edge, samples.length - edge);
}

function randomSignal(length: number, seed: number): Int16Array {
  const random = seededRandom(seed);
  return Int16Array.from({ length }, () => Math.round((random() * 2 - 1) * 20000));
}

describe('downmixToMono', () => {
  it('averages the channels of each frame', () => {
    assert.deepEqual([...downmixToMono(Int16Array.from([100, 300, -32768, -32768, 32767, 32767, 1, 2]), 2)], [200, -32768, 32767, 2]);
    assert.deepEqual([...downmixToMono(Int16Array.from([3, 6, 9, -3, -6, -9]), 3)], [6, -6]);
  });

  it('returns mono input unchanged', () => {
    const mono = Int16Array.from([1, 2, 3]);
    assert.equal(downmixToMono(mono, 1), mono);
  });
});

describe('resample', () => {
  it('returns the exact input when the rates are equal', () => {
    const input = randomSignal(1000, 1);
    for (const rate of COMMON_RATES) assert.deepEqual(resample(input, rate, rate), input);
    const stream = new StreamingResampler(24000, 24000);
    assert.deepEqual([...stream.push(input), ...stream.flush()], [...input]);
  });

  it('produces ceil(N * to / from) samples, aligned with the input (no delay)', () => {
    for (const [from, to] of [[48000, 24000], [24000, 8000], [8000, 24000], [44100, 24000], [22050, 24000], [16000, 24000]] as const) {
      for (const length of [0, 1, 7, 1001]) {
        assert.equal(resample(new Int16Array(length), from, to).length, Math.ceil((length * to) / from), `${from}->${to} N=${length}`);
      }
    }
    // An impulse at input time 10 ms must peak at output time 10 ms.
    const impulse = new Int16Array(4800);
    impulse[480] = 30000;
    const out = resample(impulse, 48000, 24000);
    const peak = out.reduce((best, value, index) => (value > out[best]! ? index : best), 0);
    assert.equal(peak, 240);
  });

  for (const [from, to] of [[48000, 24000], [16000, 24000], [24000, 8000], [8000, 24000], [44100, 24000], [22050, 24000]] as const) {
    it(`keeps a 1 kHz sine at 1 kHz and within 0.5 dB going ${from} -> ${to}`, () => {
      const input = sine({ frequency: 1000, sampleRate: from, ms: 500, amplitude: 16000 });
      const output = middle(resample(input, from, to), to);
      assert.ok(Math.abs(output.length - (0.4 * to)) <= 2);
      const level = amplitudeDb(toneAmplitude(output, 1000, to), 16000);
      assert.ok(Math.abs(level) < 0.5, `1 kHz level ${level.toFixed(2)} dB`);
      // The energy must be at 1 kHz, not smeared to a neighbouring frequency.
      assert.ok(toneAmplitude(output, 1100, to) < 16000 * 0.05);
    });
  }

  it('attenuates a 10 kHz tone by more than 40 dB going 48k -> 8k (no aliasing to 2 kHz)', () => {
    const input = sine({ frequency: 10000, sampleRate: 48000, ms: 500, amplitude: 16000 });
    const output = middle(resample(input, 48000, 8000), 8000);
    // 10 kHz folds to |10k - 8k| = 2 kHz at 8 kHz; that's where aliasing would show up.
    const aliasDb = amplitudeDb(toneAmplitude(output, 2000, 8000), 16000);
    assert.ok(aliasDb < -40, `alias at 2 kHz is only ${aliasDb.toFixed(1)} dB down`);
    let peak = 0;
    for (const sample of output) peak = Math.max(peak, Math.abs(sample));
    assert.ok(amplitudeDb(peak, 16000) < -40, `peak ${peak}`);
  });

  it('keeps a constant signal constant (every filter phase has unity DC gain)', () => {
    const out = resample(new Int16Array(2000).fill(10000), 22050, 24000);
    for (const sample of middle(out, 24000)) assert.equal(sample, 10000);
  });

  it('clamps instead of wrapping when the filter overshoots full scale', () => {
    const square = Int16Array.from({ length: 4800 }, (_, i) => (Math.floor(i / 24) % 2 ? 32767 : -32768));
    const out = resample(square, 48000, 44100);
    // Overshoot (Gibbs) would wrap around to the opposite sign without clamping.
    for (let i = 200; i < out.length - 200; i++) {
      const expectedSign = Math.sign(square[Math.round((i * 48000) / 44100)]!);
      if (Math.abs(out[i]!) > 30000) assert.equal(Math.sign(out[i]!), expectedSign, `sample ${i}`);
    }
  });
});

describe('StreamingResampler', () => {
  for (const [from, to] of [[48000, 24000], [44100, 24000], [22050, 24000], [8000, 24000], [24000, 8000], [16000, 44100]] as const) {
    it(`concatenated output over random chunk sizes equals the one-shot output (${from} -> ${to})`, () => {
      const input = randomSignal(12000, from + to);
      const expected = resample(input, from, to);
      const random = seededRandom(to);
      const stream = new StreamingResampler(from, to);
      const parts: number[] = [];
      for (let offset = 0; offset < input.length;) {
        const size = random() < 0.2 ? Math.floor(random() * 3) : Math.floor(random() * 700);
        parts.push(...stream.push(input.subarray(offset, offset + size)));
        offset += size;
      }
      parts.push(...stream.flush());
      assert.deepEqual(Int16Array.from(parts), expected);
    });
  }

  it('emits output before the stream ends (usable for live audio)', () => {
    const stream = new StreamingResampler(48000, 24000);
    const firstChunk = stream.push(new Int16Array(960));
    // 20 ms in must give nearly 10 ms out; only the filter's look-ahead is held back.
    assert.ok(firstChunk.length > 400, `only ${firstChunk.length} samples`);
  });

  it('refuses to push after flush', () => {
    const stream = new StreamingResampler(8000, 24000);
    stream.flush();
    assert.throws(() => stream.push(new Int16Array(10)));
  });

  it('rejects nonsense rates', () => {
    assert.throws(() => new StreamingResampler(0, 24000), RangeError);
    assert.throws(() => new StreamingResampler(24000, 44100.5), RangeError);
  });
});
