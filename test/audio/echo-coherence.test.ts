import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EchoCoherence } from '../../src/audio/echo-coherence.js';
import { RealFft } from '../../src/audio/real-fft.js';
import { RATE, farEndSpeech, nearEndSpeech } from '../helpers/echo-path.js';

const N = 256;

/**
 * Feeds `residual` block by block beside the spectrum of the reference's two-block window
 * (as the filter holds it); returns the coherence after each block from `from` on.
 */
function coherenceOver(reference: Int16Array, residual: Float64Array, from: number): number[] {
  const coherence = new EchoCoherence(N, RATE);
  const fft = new RealFft(2 * N);
  const re = new Float64Array(fft.bins); const im = new Float64Array(fft.bins);
  const window = new Float64Array(2 * N);
  const values: number[] = [];
  for (let at = N; at + N <= residual.length; at += N) {
    for (let i = 0; i < 2 * N; i++) window[i] = reference[at - N + i]!;
    fft.forward(window, re, im);
    const value = coherence.update(residual.subarray(at, at + N), re, im);
    if (at >= from) values.push(value);
  }
  return values;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

describe('EchoCoherence', () => {
  const far = farEndSpeech().subarray(0, 4 * RATE);

  it('is near 1 for echo a filter failed to remove (the far end through a short path, 5 dB down)', () => {
    // What a filter that lags the path by a few samples leaves: the far end, shifted and coloured.
    const residual = Float64Array.from(far, (_, i) => 0.56 * (far[i - 3] ?? 0) + 0.2 * (far[i - 9] ?? 0));
    const share = median(coherenceOver(far, residual, RATE));
    assert.ok(share > 0.8, `coherence ${share.toFixed(2)}`);
  });

  it('is near 0 for a voice in the room, even beside a residue of echo 10 dB under it', () => {
    const voice = nearEndSpeech(-6);
    const residual = Float64Array.from(far, (_, i) => (voice[i % voice.length] ?? 0) + 0.1 * (far[i - 3] ?? 0));
    const share = median(coherenceOver(far, residual, RATE));
    assert.ok(share < 0.3, `coherence ${share.toFixed(2)}`);
  });

  it('tells nothing over its first blocks, where any two signals look coherent (over one block the measure is 1)', () => {
    const voice = nearEndSpeech(-6);
    const residual = Float64Array.from(far, (_, i) => voice[i % voice.length] ?? 0);
    const first = coherenceOver(far, residual, 0).slice(0, 4);
    assert.deepEqual(first, [0, 0, 0, 0]);
  });

  it('forgets on reset', () => {
    const coherence = new EchoCoherence(N, RATE);
    const spectrum = new Float64Array(N + 1).fill(1);
    coherence.update(new Float64Array(N).fill(100), spectrum, spectrum);
    coherence.reset();
    assert.equal(coherence.echoShare, 0);
  });
});
