import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, it, mock } from 'node:test';
import { KaiwaError } from '../../src/errors.js';
import { bufferToInt16, int16ToBuffer } from '../../src/audio/pcm16.js';
import { downmixToMono, resample } from '../../src/audio/resample.js';
import { encodeWav, parseWav, WavFormatError } from '../../src/audio/wav.js';
import { DATA_SIZE_OFFSET } from '../../src/audio/wav-header.js';
import { openWavFileSource } from '../../src/audio/wav-file-source.js';
import type { WavStreamSource } from '../../src/audio/wav-stream-source.js';
import { waitFor } from '../helpers/wait-for.js';
import { amplitudeDb, dominantFrequency, sine, toneAmplitude } from '../helpers/audio-signals.js';
import { audioTempDir } from '../helpers/audio-tmp.js';

const dir = audioTempDir('kaiwa-wav-source-');

interface Played {
  chunks: Buffer[];
  /** Milliseconds after start() at which each chunk arrived. */
  arrivals: number[];
  endedAfterMs: number;
}

function play(source: WavStreamSource, onChunk?: (index: number) => void): Promise<Played> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const arrivals: number[] = [];
    let startedAt = 0;
    source.on('data', (chunk: Buffer) => {
      arrivals.push(performance.now() - startedAt);
      chunks.push(chunk);
      onChunk?.(chunks.length - 1);
    });
    source.on('error', reject);
    source.on('end', () => resolve({ chunks, arrivals, endedAfterMs: performance.now() - startedAt }));
    startedAt = performance.now();
    source.start();
  });
}

function writeWav(name: string, samples: Int16Array, rate: number, channels: number): string {
  const path = join(dir, name);
  writeFileSync(path, encodeWav(samples, rate, channels));
  return path;
}

/** `ms` of silence at 24 kHz mono: the session's own format, so each chunk is the file's. */
function silence(name: string, ms: number): string {
  return writeWav(name, new Int16Array(24 * ms), 24000, 1);
}

describe('openWavFileSource', () => {
  it('converts a 44.1 kHz stereo file to 24 kHz mono, keeping a 1 kHz tone', async () => {
    const path = join(dir, 'stereo-44k.wav');
    execFileSync('sox', ['-D', '-n', '-r', '44100', '-c', '2', '-b', '16', path, 'synth', '0.5', 'sine', '1000', 'vol', '0.5']);
    const played = await play(await openWavFileSource(path, { sampleRate: 24000 }, { realtime: false }));
    const mono = bufferToInt16(Buffer.concat(played.chunks));
    assert.equal(mono.length, 12000);
    const middle = mono.subarray(1200, 10800);
    assert.equal(dominantFrequency(middle, 24000, 500, 2000, 10), 1000);
    assert.ok(Math.abs(amplitudeDb(toneAmplitude(middle, 1000, 24000), 0.5 * 32768)) < 0.5);
  });

  it('converts to 8 kHz for G.711 sessions, in 20 ms (160-sample) chunks', async () => {
    const path = writeWav('mono-16k.wav', sine({ frequency: 440, sampleRate: 16000, ms: 110 }), 16000, 1);
    const played = await play(await openWavFileSource(path, { sampleRate: 8000 }, { realtime: false }));
    assert.deepEqual(played.chunks.map((chunk) => chunk.length), [320, 320, 320, 320, 320, 160]);
  });

  it('emits the file unchanged when it is already mono at the session rate', async () => {
    const samples = Int16Array.from({ length: 2400 }, (_, i) => (i * 13) % 2000);
    const path = writeWav('native.wav', samples, 24000, 1);
    const played = await play(await openWavFileSource(path, { sampleRate: 24000 }, { realtime: false }));
    assert.deepEqual(Buffer.concat(played.chunks), int16ToBuffer(samples));
    assert.equal(played.chunks.length, 5);
  });

  it('paces 20 ms chunks in real time and ends after the file duration', async () => {
    const source = await openWavFileSource(silence('one-second.wav', 1000), { sampleRate: 24000 });
    const played = await play(source);
    assert.equal(played.chunks.length, 50);
    played.arrivals.forEach((arrival, k) => {
      const due = (k + 1) * 20;
      assert.ok(arrival >= due - 2 && arrival < due + 50, `chunk ${k} at ${arrival.toFixed(1)} ms, due ${due}`);
    });
    assert.ok(played.endedAfterMs >= 998 && played.endedAfterMs < 1080, `ended after ${played.endedAfterMs} ms`);
  });

  it('catches up after the event loop was blocked, instead of drifting late', async () => {
    const source = await openWavFileSource(silence('blocked.wav', 1000), { sampleRate: 24000 });
    const played = await play(source, (index) => {
      if (index !== 5) return;
      const blockedUntil = performance.now() + 150;
      while (performance.now() < blockedUntil) { /* simulate a busy event loop */ }
    });
    // A schedule relative to the previous chunk would end about 150 ms late.
    assert.ok(played.endedAfterMs < 1080, `ended after ${played.endedAfterMs} ms`);
    const lastArrival = played.arrivals.at(-1) ?? 0;
    assert.ok(Math.abs(lastArrival - 1000) < 50, `last chunk at ${lastArrival} ms`);
  });

  it('emits as fast as possible with realtime: false', async () => {
    const source = await openWavFileSource(silence('ten-seconds.wav', 10_000), { sampleRate: 24000 }, { realtime: false });
    const played = await play(source);
    assert.equal(played.chunks.length, 500);
    assert.ok(played.endedAfterMs < 500, `10 s of audio took ${played.endedAfterMs} ms`);
  });

  it('does not emit before start() returns, so listeners added right after see everything', async () => {
    const source = await openWavFileSource(silence('one-chunk.wav', 20), { sampleRate: 24000 }, { realtime: false });
    let emittedDuringStart = false;
    source.on('data', () => (emittedDuringStart = true));
    source.start();
    assert.equal(emittedDuringStart, false);
    await new Promise((resolve) => source.on('end', resolve));
    assert.equal(emittedDuringStart, true);
  });

  it('stop() halts emission without an end event', async () => {
    const source = await openWavFileSource(silence('stopped.wav', 1000), { sampleRate: 24000 });
    let chunks = 0;
    let ended = false;
    source.on('data', () => chunks++);
    source.on('end', () => (ended = true));
    source.start();
    await waitFor(() => chunks >= 3, { what: 'three chunks before stop' });
    await source.stop();
    const atStop = chunks;
    // Time passes, measured by another source of the same pace: five more of its chunks are due.
    const clock = await openWavFileSource(silence('clock.wav', 1000), { sampleRate: 24000 });
    let ticks = 0;
    clock.on('data', () => ticks++);
    clock.start();
    await waitFor(() => ticks >= 5, { what: 'five chunks of the second source' });
    await clock.stop();
    assert.ok(atStop < 50, `${atStop} chunks before stop: the file was not all emitted`);
    assert.equal(chunks, atStop, 'no chunk after stop()');
    assert.equal(ended, false);
    await source.stop();
  });

  it('refuses a file with a header and no audio at open: it would play as nothing but silence', () => {
    const path = writeWav('empty.wav', new Int16Array(0), 16000, 1);
    assert.throws(() => openWavFileSource(path, { sampleRate: 24000 }), (error: unknown) =>
      error instanceof WavFormatError && error.message === `${path}: it holds no audio (its data chunk is empty)`);
  });

  it('plays a file of a single sample', async () => {
    const path = writeWav('one.wav', new Int16Array([1000]), 24000, 1);
    const played = await play(await openWavFileSource(path, { sampleRate: 24000 }));
    assert.equal(played.chunks.reduce((sum, chunk) => sum + chunk.length, 0), 2);
  });

  it('throws a one-line error from open() for a missing or bad file', () => {
    const missing = join(dir, 'missing.wav');
    assert.throws(() => openWavFileSource(missing, { sampleRate: 24000 }), (error: unknown) =>
      error instanceof KaiwaError && error.message === `cannot read ${missing}: no such file or directory`);
    const bogus = join(dir, 'bogus.wav');
    writeFileSync(bogus, 'not audio at all');
    assert.throws(() => openWavFileSource(bogus, { sampleRate: 24000 }), WavFormatError);
  });

  it('reads a long file as it plays it, not whole at open: audio added to the file after the first chunk is played too, converted as the whole file would be', async () => {
    // A streamed WAV's placeholder size: its audio runs to wherever the file ends when it is read.
    const wav = encodeWav(stereo(sine({ frequency: 440, sampleRate: 44100, ms: 30_000, amplitude: 3000 })), 44100, 2);
    wav.writeUInt32LE(0xffffffff, DATA_SIZE_OFFSET);
    const path = join(dir, 'growing.wav');
    writeFileSync(path, wav);
    const added = int16ToBuffer(stereo(sine({ frequency: 1000, sampleRate: 44100, ms: 1000, amplitude: 9000 })));
    let clock = 0;
    mock.timers.enable({ apis: ['setTimeout'] });
    const source = await openWavFileSource(path, { sampleRate: 24000 }, { clock: () => clock });
    try {
      const chunks: Buffer[] = [];
      let ended = false;
      source.on('data', (chunk: Buffer) => chunks.push(chunk));
      source.on('end', () => (ended = true));
      source.start();
      const advance = async (ms: number): Promise<void> => {
        clock += ms;
        mock.timers.tick(ms);
        // The file is read on Node's thread pool: let the event loop turn until what is due has come.
        await turnsUntil(() => ended || chunks.length >= Math.floor(clock / 20));
      };
      await advance(20);
      assert.equal(chunks.length, 1, 'the first chunk, 20 ms in');
      appendFileSync(path, added);
      for (let second = 0; second < 40 && !ended; second++) await advance(1000);
      assert.ok(ended, 'end after the last chunk');
      const whole = parseWav(Buffer.concat([wav, added]));
      const expected = resample(downmixToMono(whole.samples, 2), 44100, 24000);
      const sent = bufferToInt16(Buffer.concat(chunks));
      assert.equal(sent.length, expected.length, 'the 31 s of the file as it was when it was read to its end');
      assert.deepEqual(sent, expected);
    } finally {
      await source.stop();
      mock.timers.reset();
    }
  });
});

/** Two channels that differ (the right one inverted, at half the level), so the downmix has work to do. */
function stereo(left: Int16Array): Int16Array {
  const frames = new Int16Array(left.length * 2);
  left.forEach((sample, i) => { frames[2 * i] = sample; frames[2 * i + 1] = -sample >> 1; });
  return frames;
}

/** Up to 100 000 turns of the event loop (no timers: they are mocked), until `done`. */
async function turnsUntil(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100_000 && !done(); turn++) await new Promise((resolve) => setImmediate(resolve));
}
