import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { bufferToInt16, int16ToBuffer } from '../../src/audio/pcm16.js';
import { downmixToMono, resample } from '../../src/audio/resample.js';
import { encodeWav, parseWav, WavFormatError } from '../../src/audio/wav.js';
import { WavStreamDecoder } from '../../src/audio/wav-stream-decoder.js';
import { WavStreamSource } from '../../src/audio/wav-stream-source.js';
import { sine } from '../helpers/audio-signals.js';
import { chunk, fmtBody, riffWave } from '../helpers/audio-wav-builder.js';

const SESSION = { sampleRate: 24000 };
/** A stream's writes reach its reader in later turns of the event loop (setImmediate is not mocked here, setTimeout is). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** 24-bit stereo at 48 kHz: every step of the way (decode, downmix, resample) has work to do. */
function stereo24BitWav(ms: number): Buffer {
  const left = sine({ frequency: 440, sampleRate: 48000, ms, amplitude: 8000 });
  const frames = left.length;
  const data = Buffer.alloc(frames * 6);
  for (let i = 0; i < frames; i++) {
    data.writeIntLE(left[i]! * 256, i * 6, 3);
    data.writeIntLE(-left[i]! * 128, i * 6 + 3, 3);
  }
  return riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels: 2, sampleRate: 48000, bits: 24 })), chunk('data', data, 0xffffffff)]);
}

describe('WavStreamDecoder', () => {
  it('decodes a WAV fed a byte at a time to the same samples as the whole file', () => {
    const wav = stereo24BitWav(50);
    const decoder = new WavStreamDecoder();
    const pieces: Int16Array[] = [];
    for (let i = 0; i < wav.length; i++) pieces.push(decoder.push(wav.subarray(i, i + 1)));
    const streamed = pieces.flatMap((piece) => [...piece]);
    assert.deepEqual(streamed, [...parseWav(wav).samples]);
    assert.equal(decoder.format?.channels, 2);
  });

  it('stops at the declared data size: a chunk after the audio is not heard as audio', () => {
    const audio = int16ToBuffer(Int16Array.from([1, 2, 3, 4]));
    const wav = riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 24000, bits: 16 })), chunk('data', audio), chunk('LIST', Buffer.from('INFOjunk'))]);
    const decoder = new WavStreamDecoder();
    const samples = [...decoder.push(wav.subarray(0, 50)), ...decoder.push(wav.subarray(50))];
    assert.deepEqual(samples, [1, 2, 3, 4]);
  });

  it('names what is wrong with a stream that is no WAV', () => {
    assert.throws(() => new WavStreamDecoder().push(Buffer.from('hello world, not audio\n')), (error: unknown) => error instanceof WavFormatError && /not a WAV file/.test(error.message));
    const cut = new WavStreamDecoder();
    cut.push(encodeWav(new Int16Array(10), 24000, 1).subarray(0, 30));
    assert.throws(() => cut.end(), WavFormatError);
  });
});

describe('WavStreamSource', () => {
  let clock = 0;
  beforeEach(() => { clock = 0; mock.timers.enable({ apis: ['setTimeout'] }); });
  afterEach(() => mock.timers.reset());
  const tick = (ms: number): void => { clock += ms; mock.timers.tick(ms); };

  async function opened(stream: PassThrough): Promise<{ source: WavStreamSource; chunks: Buffer[]; ended: () => boolean }> {
    const source = await WavStreamSource.open(stream, SESSION, 'standard input', { clock: () => clock });
    const chunks: Buffer[] = [];
    let ended = false;
    source.on('data', (pcm: Buffer) => chunks.push(pcm));
    source.on('end', () => (ended = true));
    return { source, chunks, ended: () => ended };
  }

  it('a WAV piped in at once plays as a microphone would: 20 ms chunks, each when it would have been spoken, the whole audio, then end', async () => {
    const wav = stereo24BitWav(1000);
    const stream = new PassThrough();
    stream.end(wav);
    const { chunks, ended } = await opened(stream).then((run) => (run.source.start(), run));
    await settle();
    tick(0);
    assert.equal(chunks.length, 0, 'nothing before its time');
    tick(20);
    assert.equal(chunks.length, 1);
    tick(480);
    assert.equal(chunks.length, 25, 'half a second: half the audio');
    tick(500);
    assert.equal(chunks.length, 50);
    assert.ok(chunks.slice(0, -1).every((pcm) => pcm.length === 960), '20 ms of 24 kHz PCM16 each');
    const expected = resample(downmixToMono(parseWav(wav).samples, 2), 48000, 24000);
    const sent = bufferToInt16(Buffer.concat(chunks));
    assert.deepEqual([...sent], [...expected], 'decoded, downmixed and resampled as the file reader does');
    await settle();
    assert.ok(ended(), 'end after the last chunk');
  });

  it('a live pipe slower than real time is passed on as its audio arrives, not held to a schedule', async () => {
    const wav = encodeWav(sine({ frequency: 300, sampleRate: 24000, ms: 200, amplitude: 5000 }), 24000, 1);
    const stream = new PassThrough();
    stream.write(wav.subarray(0, 44 + 960));
    const { source, chunks, ended } = await opened(stream);
    source.start();
    tick(100);
    assert.equal(chunks.length, 1, 'what has come (one chunk) went out when due');
    tick(400);
    stream.write(wav.subarray(44 + 960, 44 + 960 * 5));
    await settle();
    assert.equal(chunks.length, 5, 'four chunks sent as they came, 400 ms late');
    stream.end(wav.subarray(44 + 960 * 5, wav.length - 100));
    await settle();
    assert.ok(ended(), 'end once the pipe closed and all was sent');
    assert.equal(Buffer.concat(chunks).length, wav.length - 100 - 44, 'the last, shorter chunk too');
  });

  it('audio that came while the session was set up goes at start(), at once; from there it keeps the time it was spoken in', async () => {
    const wav = encodeWav(new Int16Array(24000), 24000, 1);
    const stream = new PassThrough();
    stream.end(wav);
    const { source, chunks } = await opened(stream);
    tick(500);
    source.start();
    await settle();
    tick(0);
    assert.equal(chunks.length, 25, 'the half second before start, at once');
    tick(20);
    assert.equal(chunks.length, 26);
    tick(480);
    assert.equal(chunks.length, 50);
  });

  it('takes no more than a few seconds ahead of their time from a stream (an hour piped in at once, a long file): the rest waits in the stream until it is due', async () => {
    const wav = encodeWav(sine({ frequency: 300, sampleRate: 24000, ms: 30_000, amplitude: 5000 }), 24000, 1);
    const stream = new PassThrough();
    for (let at = 0; at < wav.length; at += 64 * 1024) stream.write(wav.subarray(at, at + 64 * 1024));
    stream.end();
    const { source, chunks, ended } = await opened(stream);
    await settle();
    assert.ok(stream.readableLength > wav.length / 2, `${stream.readableLength} of ${wav.length} bytes left unread before start`);
    source.start();
    for (let second = 0; second < 31 && !ended(); second++) {
      tick(1000);
      await settle();
    }
    assert.ok(ended(), 'all of it once due');
    assert.deepEqual(Buffer.concat(chunks), wav.subarray(44));
  });

  it('stop() releases the stream: nothing more is sent and no end is told', async () => {
    const stream = new PassThrough();
    stream.write(encodeWav(new Int16Array(24000), 24000, 1));
    const { source, chunks, ended } = await opened(stream);
    source.start();
    tick(100);
    await source.stop();
    const atStop = chunks.length;
    tick(2000);
    assert.equal(chunks.length, atStop);
    assert.equal(ended(), false);
    assert.equal(stream.destroyed, true);
  });

  it('refuses, in one line, a stream that is empty, cut inside its header, no WAV, or a header with no audio after it', async () => {
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.alloc(0), /^standard input is empty \(no WAV header, no audio\)$/],
      [encodeWav(new Int16Array(10), 24000, 1).subarray(0, 30), /^standard input: truncated WAV file/],
      [Buffer.from('hello\n'), /^standard input: not a WAV file/],
      [encodeWav(new Int16Array(0), 24000, 1), /^standard input: it holds no audio \(nothing came after its WAV header\)$/],
    ];
    for (const [bytes, message] of cases) {
      const stream = new PassThrough();
      stream.end(bytes);
      await assert.rejects(WavStreamSource.open(stream, SESSION, 'standard input'), (error: unknown) => error instanceof WavFormatError && message.test(error.message) && !error.message.includes('\n'));
    }
  });
});
