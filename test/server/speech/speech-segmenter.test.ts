import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpeechSegmenter } from '../../../src/server/speech/speech-segmenter.js';
import type { SpeechBoundary } from '../../../src/server/speech/speech-detector.js';
import { PcmFramer } from '../../../src/server/speech/pcm-framer.js';
import { NoiseFloor } from '../../../src/server/speech/noise-floor.js';
import { vadSensitivity } from '../../../src/server/speech/vad-sensitivity.js';

/** '#' = a 10 ms speech frame, '.' = a 10 ms silent one. */
function feed(segmenter: SpeechSegmenter, pattern: string): SpeechBoundary[] {
  const boundaries: SpeechBoundary[] = [];
  [...pattern].forEach((symbol, i) => {
    const boundary = segmenter.frame(symbol === '#', i * 10, i * 10 + 10);
    if (boundary) boundaries.push(boundary);
  });
  return boundaries;
}

test('reports where speech began and ended, the stop only after the silence', () => {
  const segmenter = new SpeechSegmenter({ silenceDurationMs: 50, minSpeechMs: 30 });
  assert.deepEqual(feed(segmenter, '...####..#....' + '.'.repeat(5)), [
    { type: 'start', audioMs: 30 },
    { type: 'stop', audioMs: 100 },
  ]);
  assert.equal(segmenter.speaking, false);
});

test('bursts shorter than minSpeechMs are ignored; a gap resets the candidate', () => {
  const segmenter = new SpeechSegmenter({ silenceDurationMs: 300, minSpeechMs: 50 });
  assert.deepEqual(feed(segmenter, '##' + '.'.repeat(12) + '##' + '.'.repeat(40)), []);
  const boundaries = feed(new SpeechSegmenter({ silenceDurationMs: 300, minSpeechMs: 50 }), '##' + '.'.repeat(12) + '######');
  assert.deepEqual(boundaries, [{ type: 'start', audioMs: 140 }]);
});

test('with pauseAfterMs, a silence inside the turn is reported as a pause and the speech after it as a resumption', () => {
  const segmenter = new SpeechSegmenter({ silenceDurationMs: 80, minSpeechMs: 0, pauseAfterMs: 30 });
  assert.deepEqual(feed(segmenter, '###....###' + '.'.repeat(8)), [
    { type: 'start', audioMs: 0 },
    { type: 'pause', audioMs: 30 },
    { type: 'resume', audioMs: 70 },
    { type: 'pause', audioMs: 100 },
    { type: 'stop', audioMs: 100 },
  ]);
});

test('no pauses without pauseAfterMs, and none when it is not shorter than the silence', () => {
  for (const options of [{}, { pauseAfterMs: 50 }]) {
    const segmenter = new SpeechSegmenter({ silenceDurationMs: 50, minSpeechMs: 0, ...options });
    assert.deepEqual(feed(segmenter, '###....###' + '.'.repeat(6)).map((boundary) => boundary.type), ['start', 'stop']);
  }
});

test('reset() drops the turn in progress', () => {
  const segmenter = new SpeechSegmenter({ silenceDurationMs: 50, minSpeechMs: 0 });
  feed(segmenter, '###');
  assert.equal(segmenter.speaking, true);
  segmenter.reset();
  assert.equal(segmenter.speaking, false);
  assert.deepEqual(feed(segmenter, '.........'), []);
});

test('PcmFramer cuts any chunking into whole frames and keeps the tail', () => {
  const framer = new PcmFramer(4);
  assert.deepEqual(framer.push(Int16Array.from([1, 2, 3])), []);
  assert.deepEqual(framer.push(Int16Array.from([4, 5, 6, 7, 8, 9])).map((f) => [...f]), [[1, 2, 3, 4], [5, 6, 7, 8]]);
  assert.equal(framer.pendingSamples, 1);
  assert.deepEqual([...framer.flush()], [9]);
});

test('NoiseFloor drops to quieter frames at once and rises slowly', () => {
  const floor = new NoiseFloor(10);
  floor.update(-50);
  assert.equal(floor.update(-60), -60);
  const afterOneLoudFrame = floor.update(-20);
  assert.ok(afterOneLoudFrame > -60 && afterOneLoudFrame < -59, String(afterOneLoudFrame));
  assert.equal(floor.update(-Infinity), -100);
});

test('the threshold maps monotonically onto VAD mode and energy margin', () => {
  const levels = [0, 0.3, 0.5, 0.7, 0.9, 1].map(vadSensitivity);
  for (let i = 1; i < levels.length; i++) {
    assert.ok(levels[i]!.mode >= levels[i - 1]!.mode);
    assert.ok(levels[i]!.marginDb > levels[i - 1]!.marginDb);
  }
  assert.deepEqual(vadSensitivity(0.5), { mode: 1, marginDb: 3, minimumLevelDbfs: -65 });
  assert.deepEqual(vadSensitivity(Number.NaN), vadSensitivity(0.5));
  assert.deepEqual(vadSensitivity(7), vadSensitivity(1));
});
