import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NearEndEvidence } from '../../src/audio/near-end-evidence.js';
import { RealFft } from '../../src/audio/real-fft.js';
import { RATE, farEndSpeech, nearEndSpeech, roomImpulseResponse } from '../helpers/echo-path.js';

const N = 256;

/** Feeds the residual's and the reference's two-block windows; returns the share after each block from `from` on. */
function sharesOver(reference: Int16Array, residual: Float64Array, coupling: number, from: number): number[] {
  const evidence = new NearEndEvidence(N, RATE);
  const fft = new RealFft(2 * N);
  const refRe = new Float64Array(fft.bins); const refIm = new Float64Array(fft.bins);
  const resRe = new Float64Array(fft.bins); const resIm = new Float64Array(fft.bins);
  const window = new Float64Array(2 * N);
  const shares: number[] = [];
  for (let at = N; at + N <= residual.length; at += N) {
    for (let i = 0; i < 2 * N; i++) window[i] = reference[at - N + i]!;
    fft.forward(window, refRe, refIm);
    for (let i = 0; i < 2 * N; i++) window[i] = residual[at - N + i]!;
    fft.forward(window, resRe, resIm);
    const share = evidence.update(resRe, resIm, refRe, refIm, coupling);
    if (at >= from) shares.push(share);
  }
  return shares;
}

/** The far end through a room at `gain` (amplitude): echo with its reverberation. */
function echoOf(far: Int16Array, gain: number): Float64Array {
  const room = roomImpulseResponse();
  const norm = Math.sqrt(room.reduce((sum, tap) => sum + tap.gain ** 2, 0));
  return Float64Array.from(far, (_, i) => gain * room.reduce((sum, tap) => sum + (tap.gain / norm) * (far[i - tap.at] ?? 0), 0));
}

const share = (values: number[], above: number) => values.filter((v) => v >= above).length / values.length;

describe('NearEndEvidence', () => {
  const far = farEndSpeech().subarray(0, 4 * RATE);

  it('finds nothing beyond the echo in the echo itself, however little of it a filter removed', () => {
    // The whole echo left (a filter that failed), through a 0 dB room: coupling 1.
    const values = sharesOver(far, echoOf(far, 1), 1, RATE / 2);
    assert.ok(share(values, 0.1) < 0.02, `${(100 * share(values, 0.1)).toFixed(1)} % of the blocks had evidence`);
  });

  it('finds a voice as loud as the echo beside it in more than half the blocks where it speaks', () => {
    const voice = nearEndSpeech(0);
    const echo = echoOf(far, 1);
    const residual = Float64Array.from(echo, (value, i) => value + (voice[i] ?? 0));
    const speaking = sharesOver(far, residual, 1, 0).filter((_, block) => {
      let sum = 0;
      for (let i = (block + 1) * N; i < (block + 2) * N && i < voice.length; i++) sum += voice[i]! ** 2;
      return sum / N > 1000 ** 2;
    });
    assert.ok(speaking.length > 50, `${speaking.length} blocks of voice`);
    assert.ok(share(speaking, 0.1) > 0.5, `${(100 * share(speaking, 0.1)).toFixed(1)} % of the voice's blocks had evidence`);
  });
});
