import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AcousticEchoCanceller } from '../../src/audio/acoustic-echo-canceller.js';
import { RATE, db, echoScene, energy, farEndSpeech, nearEndSpeech } from '../helpers/echo-path.js';

function run(canceller: AcousticEchoCanceller, mic: Int16Array, reference: Int16Array): Int16Array {
  const out = new Int16Array(mic.length);
  // Odd chunk lengths: the half-rate filters must keep one continuous stream across calls.
  for (let at = 0, chunk = 479; at < mic.length; at += chunk) out.set(canceller.process(mic.subarray(at, at + chunk), reference.subarray(at, at + chunk)), at);
  return out;
}

describe('AcousticEchoCanceller at half the rate (halfRate)', () => {
  it('works at 12 kHz inside a 24 kHz stream and passes a voice through whole, high band included, when nothing plays', () => {
    const canceller = new AcousticEchoCanceller(RATE, { halfRate: true });
    assert.equal(canceller.processingRate, RATE / 2);
    const voice = nearEndSpeech(-6);
    const out = run(canceller, voice, new Int16Array(voice.length));
    const shifted = out.subarray(canceller.latencySamples);
    for (let i = 0; i < shifted.length; i += 7) assert.ok(Math.abs(shifted[i]! - voice[i]!) <= 1, `sample ${i}: ${shifted[i]} vs ${voice[i]}`);
  });

  it('removes a 300 ms echo, its high band with it', () => {
    const scene = echoScene({ delayMs: 300, gainDb: -6, far: farEndSpeech(), noiseDbfs: -90 });
    const canceller = new AcousticEchoCanceller(RATE, { halfRate: true });
    const out = run(canceller, scene.mic, scene.reference);
    const from = scene.echoStart + 3 * RATE; const to = scene.echoStart + farEndSpeech().length;
    const removed = db(energy(scene.mic, from, to) / Math.max(energy(out.subarray(canceller.latencySamples), from, to), 1));
    assert.ok(Math.abs(canceller.status.delayMs! - 300) <= 4, `delay ${canceller.status.delayMs}`);
    assert.ok(removed >= 28, `${removed.toFixed(1)} dB removed`);
  });

  it('stays at the stream rate below 20 kHz', () => {
    assert.equal(new AcousticEchoCanceller(16000, { halfRate: true }).processingRate, 16000);
  });
});
