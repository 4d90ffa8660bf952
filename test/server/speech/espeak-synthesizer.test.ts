import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bufferToInt16 } from '../../../src/audio/pcm16.js';
import { createSynthesizer, type EspeakSynthesizer } from '../../../src/server/speech/espeak-synthesizer.js';
import { liveSpeechPids } from '../../../src/server/speech/speech-children.js';
import type { SynthesisOptions } from '../../../src/server/speech/synthesizer.js';
import { rms } from '../../helpers/audio-signals.js';
import { skipWithoutEspeak } from '../../helpers/speech-tools.js';
import { waitFor } from '../../helpers/wait-for.js';

const skip = skipWithoutEspeak();
const SENTENCE = 'The quick brown fox jumps over the lazy dog.';
const LONG_TEXT = Array.from({ length: 10 }, (_, i) => `This is sentence number ${i + 1} of a long answer that goes on for quite a while.`).join(' ');

async function synthesizer(): Promise<EspeakSynthesizer> {
  const found = await createSynthesizer();
  assert.ok(found, 'espeak-ng is installed but was not found');
  return found;
}

function options(overrides: Partial<SynthesisOptions> = {}): SynthesisOptions {
  return { voice: 'alloy', speed: 1, sampleRate: 24000, ...overrides };
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const all: Buffer[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

function seconds(chunks: Buffer[], sampleRate: number): number {
  return chunks.reduce((total, chunk) => total + chunk.length, 0) / 2 / sampleRate;
}

test('speaks a sentence: audible, plausible length, chunks of at most 100 ms', { skip }, async () => {
  const chunks = await collect((await synthesizer()).synthesize(SENTENCE, options()));
  const duration = seconds(chunks, 24000);
  const words = SENTENCE.split(' ').length;
  assert.ok(duration >= 0.2 * words && duration <= 0.6 * words, `${duration} s for ${words} words`);
  for (const chunk of chunks) assert.ok(chunk.length > 0 && chunk.length <= 2400 * 2, `chunk of ${chunk.length} bytes`);
  const level = 20 * Math.log10(rms(bufferToInt16(Buffer.concat(chunks))) / 32768);
  assert.ok(level > -35, `speech at ${level.toFixed(1)} dBFS`);
});

test('streams: the first chunk arrives long before the last, while espeak-ng is still running', { skip }, async () => {
  const synth = await synthesizer();
  const started = performance.now();
  let firstMs: number | undefined;
  let firstBytes = 0;
  let lastMs = 0;
  let runningAtFirstChunk = 0;
  const pidsBefore = new Set(liveSpeechPids());
  let bytes = 0;
  for await (const chunk of synth.synthesize(LONG_TEXT, options())) {
    if (firstMs === undefined) {
      firstMs = performance.now() - started;
      firstBytes = chunk.length;
      runningAtFirstChunk = liveSpeechPids().filter((pid) => !pidsBefore.has(pid)).length;
    }
    bytes += chunk.length;
    lastMs = performance.now() - started;
  }
  const audioSeconds = bytes / 2 / 24000;
  // Times are reported, not asserted (a loaded machine stretches them); the latency budget is
  // the bench's (d) "first audio delta", which includes this first chunk.
  console.log(`# espeak-ng: first chunk after ${firstMs!.toFixed(1)} ms, last after ${lastMs.toFixed(1)} ms, ${audioSeconds.toFixed(1)} s of audio`);
  assert.ok(audioSeconds > 30, `${audioSeconds} s of audio`);
  assert.equal(runningAtFirstChunk, 1, 'espeak-ng was still running when the first chunk came');
  assert.ok(firstBytes / 2 / 24000 < audioSeconds / 10, `the first chunk holds ${firstBytes} bytes of ${bytes}: a small part, not the whole answer`);
});

test('abort kills espeak-ng at once and ends the stream', { skip }, async () => {
  const synth = await synthesizer();
  const controller = new AbortController();
  const pidsBefore = new Set(liveSpeechPids());
  let received = 0;
  for await (const chunk of synth.synthesize(LONG_TEXT, options({ signal: controller.signal }))) {
    received += chunk.length;
    if (!controller.signal.aborted) controller.abort();
  }
  assert.ok(received / 2 / 24000 < 5, `${received} bytes after abort`);
  await waitFor(() => liveSpeechPids().every((pid) => pidsBefore.has(pid)), { what: 'espeak-ng to be gone', timeoutMs: 5000 }).catch(() => undefined);
  assert.deepEqual(liveSpeechPids().filter((pid) => !pidsBefore.has(pid)), []);
});

test('a consumer that stops early leaves no espeak-ng behind', { skip }, async () => {
  const synth = await synthesizer();
  const pidsBefore = new Set(liveSpeechPids());
  for await (const chunk of synth.synthesize(LONG_TEXT, options())) {
    assert.ok(chunk.length > 0);
    break;
  }
  await waitFor(() => liveSpeechPids().every((pid) => pidsBefore.has(pid)), { what: 'espeak-ng to be gone', timeoutMs: 5000 }).catch(() => undefined);
  assert.deepEqual(liveSpeechPids().filter((pid) => !pidsBefore.has(pid)), []);
});

test('an already aborted signal or empty text yields nothing', { skip }, async () => {
  const synth = await synthesizer();
  assert.deepEqual(await collect(synth.synthesize(SENTENCE, options({ signal: AbortSignal.abort() }))), []);
  assert.deepEqual(await collect(synth.synthesize('   ', options())), []);
});

test('different voices sound different', { skip }, async () => {
  const synth = await synthesizer();
  const alloy = Buffer.concat(await collect(synth.synthesize(SENTENCE, options({ voice: 'alloy' }))));
  const echo = Buffer.concat(await collect(synth.synthesize(SENTENCE, options({ voice: 'echo' }))));
  const cedar = Buffer.concat(await collect(synth.synthesize(SENTENCE, options({ voice: 'cedar' }))));
  assert.notDeepEqual(alloy, echo);
  assert.notDeepEqual(echo, cedar);
  assert.deepEqual(synth.argumentsFor(SENTENCE, options({ voice: 'alloy' })).slice(-4), ['-v', 'en-us+f5', '-s', '175']);
});

test('8000 Hz output has the same duration as 24000 Hz output', { skip }, async () => {
  const synth = await synthesizer();
  const at24k = seconds(await collect(synth.synthesize(SENTENCE, options())), 24000);
  const at8kChunks = await collect(synth.synthesize(SENTENCE, options({ sampleRate: 8000 })));
  const at8k = seconds(at8kChunks, 8000);
  assert.ok(Math.abs(at8k - at24k) < 0.01, `${at8k} s vs ${at24k} s`);
  for (const chunk of at8kChunks) assert.ok(chunk.length <= 800 * 2);
  assert.ok(rms(bufferToInt16(Buffer.concat(at8kChunks))) > 500);
});

test('speed changes the speaking rate', { skip }, async () => {
  const synth = await synthesizer();
  const fast = seconds(await collect(synth.synthesize(SENTENCE, options({ speed: 1.5 }))), 24000);
  const slow = seconds(await collect(synth.synthesize(SENTENCE, options({ speed: 0.5 }))), 24000);
  assert.ok(slow > fast * 1.8, `slow ${slow} s, fast ${fast} s`);
});

test('Japanese text is spoken with the Japanese voice', { skip }, async () => {
  const synth = await synthesizer();
  const args = synth.argumentsFor('こんにちは、元気ですか。', options({ voice: 'coral' }));
  assert.equal(args[args.indexOf('-v') + 1], 'ja+f2');
  const chunks = await collect(synth.synthesize('こんにちは、元気ですか。', options({ voice: 'coral' })));
  const duration = seconds(chunks, 24000);
  assert.ok(duration > 0.8 && duration < 6, `${duration} s`);
});

test('espeak-ng missing resolves undefined', async () => {
  assert.equal(await createSynthesizer('/nonexistent/espeak-ng'), undefined);
});
