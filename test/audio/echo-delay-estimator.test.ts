import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EchoDelayEstimator, MIN_CONFIDENCE } from '../../src/audio/echo-delay-estimator.js';
import { NoiseFloor } from '../../src/audio/noise-floor.js';
import { RATE, echoScene, energy, farEndSpeech, silentDither } from '../helpers/echo-path.js';

function estimate(mic: Int16Array, reference: Int16Array): { delayMs: number | undefined; foundAfterMs: number | undefined } {
  const estimator = new EchoDelayEstimator(RATE);
  let foundAfterMs: number | undefined;
  for (let at = 0; at + 256 <= mic.length; at += 256) {
    const changed = estimator.push(mic.subarray(at, at + 256), reference.subarray(at, at + 256));
    if (changed && foundAfterMs === undefined) foundAfterMs = ((at + 256) * 1000) / RATE;
  }
  const delay = estimator.estimate.delaySamples;
  return { delayMs: delay === undefined ? undefined : (delay * 1000) / RATE, foundAfterMs };
}

describe('EchoDelayEstimator', () => {
  for (const delayMs of [0, 60, 150, 300, 500, 590]) {
    it(`finds a ${delayMs} ms echo path in speech within 4 ms, in under a second of echo`, () => {
      const scene = echoScene({ delayMs, gainDb: -6, far: farEndSpeech() });
      const found = estimate(scene.mic, scene.reference);
      assert.ok(found.delayMs !== undefined, 'a delay was found');
      // The peak lands on the strongest part of the room response, the direct sound.
      assert.ok(Math.abs(found.delayMs - delayMs) <= 4, `estimated ${found.delayMs} ms`);
      assert.ok(found.foundAfterMs! - delayMs < 1000, `found ${found.foundAfterMs} ms after the far end started`);
    });
  }

  it('finds nothing for a path longer than its range (800 ms)', () => {
    const scene = echoScene({ delayMs: 800, gainDb: 0, far: farEndSpeech() });
    assert.equal(estimate(scene.mic, scene.reference).delayMs, undefined);
  });

  it('finds nothing while only the microphone has sound (no far end played)', () => {
    const scene = echoScene({ delayMs: 150, gainDb: 0, far: farEndSpeech() });
    assert.equal(estimate(scene.mic, new Int16Array(scene.mic.length)).delayMs, undefined);
  });

  it('correlates while the far end\'s last sounds are still in its window\'s lags, and skips the work once the whole window is digital silence', () => {
    const scene = echoScene({ delayMs: 300, gainDb: -6, far: farEndSpeech() });
    const stop = scene.reference.findLastIndex((sample) => Math.abs(sample) > 1) + 1;
    const length = stop + 2 * RATE;
    const mic = silentDither(length);
    mic.set(scene.mic.subarray(0, Math.min(scene.mic.length, length)));
    const reference = new Int16Array(length);
    reference.set(scene.reference.subarray(0, stop));
    const estimator = new EchoDelayEstimator(RATE);
    let lastMadeAt = 0;
    for (let at = 0; at + 256 <= length; at += 256) {
      const made = estimator.estimatesMade;
      estimator.push(mic.subarray(at, at + 256), reference.subarray(at, at + 256));
      if (estimator.estimatesMade > made) lastMadeAt = at + 256;
    }
    const afterMs = ((lastMadeAt - stop) * 1000) / RATE;
    // The window is 512 ms, its lags 600 more: the far end's last 300 ms fill the lags until ~0.8 s after it stopped.
    assert.ok(afterMs > 600 && afterMs <= 512 + 600 + 20, `the last correlation came ${afterMs} ms after the far end stopped`);
  });

  it('follows a jump of the path (a new output device) after confirming it', () => {
    const first = echoScene({ delayMs: 120, gainDb: -6, far: farEndSpeech() });
    const second = echoScene({ delayMs: 420, gainDb: -6, far: farEndSpeech() });
    const estimator = new EchoDelayEstimator(RATE);
    const seen: number[] = [];
    for (const scene of [first, second]) {
      for (let at = 0; at + 256 <= scene.mic.length; at += 256) {
        if (estimator.push(scene.mic.subarray(at, at + 256), scene.reference.subarray(at, at + 256))) seen.push((estimator.estimate.delaySamples! * 1000) / RATE);
      }
    }
    assert.ok(seen.some((ms) => Math.abs(ms - 120) <= 4), `first path seen: ${seen.join(', ')}`);
    assert.ok(Math.abs(seen.at(-1)! - 420) <= 4, `ends on the new path: ${seen.join(', ')}`);
  });
});

describe('EchoDelayEstimator told the microphone does not hear the speaker', () => {
  /** Far end twice; the microphone at -65 dBFS of noise, with the echo (300 ms, -6 dB) from `echoFrom` seconds if given. */
  function run(onlyWhileMicSounds: boolean, echoFrom?: number) {
    const speech = farEndSpeech();
    const far = new Int16Array(2 * speech.length);
    far.set(speech); far.set(speech, speech.length);
    const heard = echoScene({ delayMs: 300, gainDb: -6, far, noiseDbfs: -65 });
    const mic = echoScene({ delayMs: 300, gainDb: -200, far, noiseDbfs: -65 }).mic;
    const cut = echoFrom === undefined ? mic.length : Math.round(echoFrom * RATE);
    mic.set(heard.mic.subarray(cut), cut);
    const estimator = new EchoDelayEstimator(RATE, 700);
    estimator.onlyWhileMicSounds = onlyWhileMicSounds;
    const floor = new NoiseFloor();
    let beforeEcho = 0;
    let foundAfter: number | undefined;
    for (let at = 0; at + 256 <= mic.length; at += 256) {
      const block = mic.subarray(at, at + 256);
      const meanSquare = energy(block) / 256;
      estimator.push(block, heard.reference.subarray(at, at + 256), meanSquare > 4 * floor.update(meanSquare));
      if (at + 256 <= cut) beforeEcho = estimator.estimatesMade;
      const delay = estimator.delaySamples;
      if (foundAfter === undefined && at + 256 > cut && delay !== undefined && Math.abs((delay * 1000) / RATE - 300) <= 4) foundAfter = (at + 256 - cut) / RATE;
    }
    return { beforeEcho, total: estimator.estimatesMade, foundAfter };
  }

  it('computes no correlation while no block of the microphone\'s window held sound above its noise', () => {
    assert.equal(run(true).total, 0);
    assert.ok(run(false).total > 50, 'told nothing, it searches all along');
  });

  it('searches again as soon as the microphone sounds, and finds an echo appearing mid-reply no later than an estimator that never stopped', () => {
    for (const echoFrom of [3, 6.1]) {
      const skipping = run(true, echoFrom);
      const always = run(false, echoFrom);
      assert.equal(skipping.beforeEcho, 0);
      assert.ok(skipping.foundAfter !== undefined && always.foundAfter !== undefined, 'found');
      assert.ok(skipping.foundAfter <= always.foundAfter, `echo from ${echoFrom} s: found after ${skipping.foundAfter} s, ${always.foundAfter} s searching all along`);
    }
  });
});

for (const silence of ['zero', 'dither'] as const) it(`EchoDelayEstimator computes no correlation over a digitally silent microphone (${silence}), told nothing, and finds an echo as soon as it comes`, () => {
  const speech = farEndSpeech();
  const far = new Int16Array(2 * speech.length);
  far.set(speech); far.set(speech, speech.length);
  const heard = echoScene({ delayMs: 300, gainDb: -6, far });
  const cut = 6 * RATE;
  const mic = silence === 'zero' ? new Int16Array(heard.mic.length) : silentDither(heard.mic.length);
  mic.set(heard.mic.subarray(cut), cut);
  const estimator = new EchoDelayEstimator(RATE, 700);
  let foundAfter: number | undefined;
  for (let at = 0; at + 256 <= mic.length; at += 256) {
    estimator.push(mic.subarray(at, at + 256), heard.reference.subarray(at, at + 256));
    if (at + 256 <= cut) assert.equal(estimator.estimatesMade, 0, `a correlation at ${at / RATE} s`);
    if (foundAfter === undefined && estimator.delaySamples !== undefined) foundAfter = (at + 256 - cut) / RATE;
  }
  assert.ok(estimator.estimatesMade > 20);
  assert.ok(foundAfter !== undefined && foundAfter < 1, `found ${foundAfter} s after the echo came`);
  assert.ok(Math.abs((estimator.delaySamples! * 1000) / RATE - 300) <= 4);
});

it('EchoDelayEstimator: the echo\'s first milliseconds at the very end of a silent microphone\'s window give no confident peak at 0-10 ms (the frames\' cut-off ends correlating), whatever the timing', () => {
  const speech = farEndSpeech();
  // The far end starts loud, as a reply's first syllable can: its echo's onset is a step.
  const onset = speech.subarray(speech.findIndex((v) => Math.abs(v) > 1000) - 24);
  const wrong: string[] = [];
  for (const delayMs of [300, 400]) {
    // The onset lands at every offset before the estimates made every 128 ms.
    for (let leadMs = 100; leadMs < 400; leadMs += 3) {
      const far = new Int16Array(Math.round((leadMs / 1000) * RATE) + onset.length);
      far.set(onset, far.length - onset.length);
      const heard = echoScene({ delayMs, gainDb: 0, far, noiseDbfs: -200 });
      const dither = silentDither(heard.mic.length);
      const mic = Int16Array.from(heard.mic, (v, i) => v + dither[i]!);
      const estimator = new EchoDelayEstimator(RATE, 700);
      for (let at = 0; at + 240 <= 1.2 * RATE; at += 240) {
        const made = estimator.estimatesMade;
        estimator.push(mic.subarray(at, at + 240), heard.reference.subarray(at, at + 240));
        const { peakSamples, confidence } = estimator.estimate;
        if (estimator.estimatesMade > made && confidence >= MIN_CONFIDENCE && (peakSamples! * 1000) / RATE < 10) {
          wrong.push(`${delayMs} ms path, far end from ${leadMs} ms: ${((peakSamples! * 1000) / RATE).toFixed(1)} ms at ${(at / RATE).toFixed(2)} s`);
        }
      }
    }
  }
  assert.deepEqual(wrong, []);
});
