import { test } from 'node:test';
import assert from 'node:assert/strict';
import { int16ToBuffer } from '../../../src/audio/pcm16.js';
import { createSpeechDetector } from '../../../src/server/speech/webrtc-speech-detector.js';
import type { SpeechBoundary, SpeechDetector, SpeechDetectorOptions } from '../../../src/server/speech/speech-detector.js';
import { resample } from '../../../src/audio/resample.js';
import { espeakSpeech, mixInto, msForSamples, samplesForMs, speechExtent, whiteNoise } from '../../helpers/speech-audio.js';

const NOISE_DBFS = -45;
const TOLERANCE_MS = 100;
const SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'Please call Stella and ask her to bring these things from the store.',
  'Seven.',
  'Turn left at the next traffic light.',
  'She sells sea shells by the sea shore.',
];

interface Scene {
  pcm: Int16Array;
  /** Where each sentence's speech really is, in ms of the scene. */
  truth: { startMs: number; endMs: number }[];
}

/** Noise, then each sentence followed by `gapMs` more noise (the last by `tailMs`). */
function scene(sentences: string[], sampleRate: number, leadMs = 1500, gapMs = 1500, tailMs = 2000): Scene {
  const clips = sentences.map((text) => espeakSpeech(text));
  const truth: Scene['truth'] = [];
  const placed: { samples: Int16Array; offset: number }[] = [];
  let cursorMs = leadMs;
  for (const clip of clips) {
    const extent = speechExtent(clip.samples);
    assert.ok(extent, 'espeak-ng produced silence');
    truth.push({
      startMs: cursorMs + msForSamples(extent.first, clip.sampleRate),
      endMs: cursorMs + msForSamples(extent.last + 1, clip.sampleRate),
    });
    const samples = resample(clip.samples, clip.sampleRate, sampleRate);
    placed.push({ samples, offset: samplesForMs(cursorMs, sampleRate) });
    cursorMs += msForSamples(samples.length, sampleRate) + gapMs;
  }
  const total = samplesForMs(cursorMs - gapMs + tailMs, sampleRate);
  const pcm = whiteNoise(total, NOISE_DBFS, sentences.length * 7 + sampleRate);
  for (const { samples, offset } of placed) mixInto(pcm, samples, offset);
  return { pcm, truth };
}

function options(sampleRate: number, overrides: Partial<SpeechDetectorOptions> = {}): SpeechDetectorOptions {
  return { sampleRate, threshold: 0.5, silenceDurationMs: 500, ...overrides };
}

/** Pushes in 20 ms chunks, as a client streaming microphone audio would. */
function run(detector: SpeechDetector, pcm: Int16Array, sampleRate: number, chunkMs = 20): SpeechBoundary[] {
  const step = samplesForMs(chunkMs, sampleRate);
  const boundaries: SpeechBoundary[] = [];
  for (let offset = 0; offset < pcm.length; offset += step) {
    boundaries.push(...detector.push(int16ToBuffer(pcm.subarray(offset, offset + step))));
  }
  return boundaries;
}

function assertPairsMatch(boundaries: SpeechBoundary[], truth: Scene['truth'], label: string): void {
  const expected = truth.flatMap((t) => [{ type: 'start', audioMs: t.startMs }, { type: 'stop', audioMs: t.endMs }]);
  assert.deepEqual(boundaries.map((b) => b.type), expected.map((b) => b.type), `${label}: ${JSON.stringify(boundaries)}`);
  boundaries.forEach((boundary, i) => {
    const error = boundary.audioMs - expected[i]!.audioMs;
    assert.ok(Math.abs(error) <= TOLERANCE_MS, `${label}: ${boundary.type} off by ${Math.round(error)} ms (${JSON.stringify(boundaries)} vs ${JSON.stringify(truth)})`);
  });
}

for (const sampleRate of [24000, 8000]) {
  test(`finds where each sentence starts and stops at ${sampleRate} Hz, within ${TOLERANCE_MS} ms`, async () => {
    const errors: string[] = [];
    const sentences = sampleRate === 24000 ? SENTENCES : SENTENCES.slice(0, 3);
    for (const sentence of sentences) {
      const { pcm, truth } = scene([sentence], sampleRate);
      const detector = await createSpeechDetector(options(sampleRate));
      const boundaries = run(detector, pcm, sampleRate);
      assertPairsMatch(boundaries, truth, sentence);
      errors.push(`${Math.round(boundaries[0]!.audioMs - truth[0]!.startMs)}/${Math.round(boundaries[1]!.audioMs - truth[0]!.endMs)}`);
    }
    console.log(`# ${sampleRate} Hz start/stop errors (ms): ${errors.join(' ')}`);
  });

  test(`pure noise gives no boundaries at ${sampleRate} Hz`, async () => {
    const detector = await createSpeechDetector(options(sampleRate));
    const noise = whiteNoise(samplesForMs(8000, sampleRate), NOISE_DBFS, 99);
    assert.deepEqual(run(detector, noise, sampleRate), []);
    assert.equal(detector.speaking, false);
  });
}

test('two sentences 1.5 s apart give two start/stop pairs with silenceDurationMs 500', async () => {
  const { pcm, truth } = scene(['It is going to rain tomorrow.', 'Open the window please.'], 24000);
  const detector = await createSpeechDetector(options(24000));
  assertPairsMatch(run(detector, pcm, 24000), truth, 'two sentences');
});

test('a silence shorter than silenceDurationMs does not split the turn', async () => {
  const { pcm, truth } = scene(['It is going to rain.', 'Open the window.'], 24000, 1000, 400, 1000);
  const detector = await createSpeechDetector(options(24000, { silenceDurationMs: 800 }));
  assertPairsMatch(run(detector, pcm, 24000), [{ startMs: truth[0]!.startMs, endMs: truth[1]!.endMs }], 'one turn');
});

test('speaking is true between start and stop, and the stop comes silenceDurationMs after the speech', async () => {
  const { pcm, truth } = scene(['Where is the nearest train station?'], 24000, 1000, 0, 1500);
  const detector = await createSpeechDetector(options(24000, { silenceDurationMs: 700 }));
  const step = samplesForMs(20, 24000);
  let stopSeenAtMs: number | undefined;
  for (let offset = 0; offset < pcm.length; offset += step) {
    const nowMs = msForSamples(offset + step, 24000);
    const boundaries = detector.push(int16ToBuffer(pcm.subarray(offset, offset + step)));
    if (boundaries.some((b) => b.type === 'stop')) stopSeenAtMs = nowMs;
    if (nowMs > truth[0]!.startMs + 200 && nowMs < truth[0]!.endMs - 50) assert.equal(detector.speaking, true, `at ${nowMs} ms`);
  }
  assert.equal(detector.speaking, false);
  assert.ok(stopSeenAtMs !== undefined);
  // Reported only once the silence has lasted long enough (plus the resampler's look-ahead and one frame).
  assert.ok(Math.abs(stopSeenAtMs - (truth[0]!.endMs + 700)) <= TOLERANCE_MS + 20, `stop reported at ${stopSeenAtMs}`);
});

test('speech shorter than minSpeechMs is ignored', async () => {
  const word = espeakSpeech('Hello there, how are you?');
  const extent = speechExtent(word.samples)!;
  const snippet = resample(word.samples.subarray(extent.first, extent.first + samplesForMs(60, word.sampleRate)), word.sampleRate, 24000);
  const pcm = whiteNoise(samplesForMs(3000, 24000), NOISE_DBFS, 5);
  mixInto(pcm, snippet, samplesForMs(1000, 24000));
  const strict = await createSpeechDetector(options(24000, { minSpeechMs: 150 }));
  assert.deepEqual(run(strict, pcm, 24000), []);
  const lenient = await createSpeechDetector(options(24000, { minSpeechMs: 0 }));
  assert.deepEqual(run(lenient, pcm, 24000).map((b) => b.type), ['start', 'stop']);
});

test('reset() forgets the speech in progress; continuing speech starts a new turn', async () => {
  const { pcm } = scene(['Please call Stella and ask her to bring these things from the store.'], 24000, 1000, 0, 1000);
  const detector = await createSpeechDetector(options(24000));
  const half = samplesForMs(2000, 24000);
  const first = run(detector, pcm.subarray(0, half), 24000);
  assert.deepEqual(first.map((b) => b.type), ['start']);
  detector.reset();
  assert.equal(detector.speaking, false);
  const rest = run(detector, pcm.subarray(half), 24000);
  assert.deepEqual(rest.map((b) => b.type), ['start', 'stop']);
  assert.ok(rest[0]!.audioMs >= 2000, 'the new start lies after the reset');
});

test('chunk sizes (even odd byte counts) do not change the result', async () => {
  const { pcm } = scene(['Turn left at the next traffic light.'], 24000, 800, 0, 1000);
  const bytes = int16ToBuffer(pcm);
  const whole = (await createSpeechDetector(options(24000))).push(bytes);
  const chunked = await createSpeechDetector(options(24000));
  const pieces: SpeechBoundary[] = [];
  for (let offset = 0; offset < bytes.length; offset += 777) pieces.push(...chunked.push(bytes.subarray(offset, offset + 777)));
  assert.equal(whole.length, 2);
  assert.deepEqual(pieces, whole);
});
