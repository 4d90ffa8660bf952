import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KaiwaError } from '../../src/errors.js';
import { describeFileError } from '../../src/file-errors.js';
import { encodeWav, parseWav, readWavFile, WavFormatError } from '../../src/audio/wav.js';
import { audioTempDir } from '../helpers/audio-tmp.js';
import { chunk, extensibleFmtBody, fmtBody, int16Data, riffWave } from '../helpers/audio-wav-builder.js';
import { runNodeWithoutFilePrivileges } from '../helpers/without-file-privileges.js';
import { espeakEnvironment } from '../../src/server/speech/espeak-install.js';

const dir = audioTempDir('kaiwa-wav-');

/** What SoX itself decodes the file to, as 16-bit samples (no dither, so exact). */
function soxDecodeToInt16(path: string): Int16Array {
  const raw = execFileSync('sox', ['-D', path, '-t', 'raw', '-e', 'signed', '-b', '16', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2).slice();
}

function assertWavError(input: Buffer, pattern: RegExp): void {
  assert.throws(() => parseWav(input), (error: unknown) => {
    assert.ok(error instanceof WavFormatError, `expected WavFormatError, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
}

describe('parseWav on files written by SoX', () => {
  const cases = [
    { name: '8-bit unsigned PCM', args: ['-b', '8'], encoding: 'pcm', bits: 8 },
    { name: '16-bit PCM', args: ['-b', '16'], encoding: 'pcm', bits: 16 },
    { name: '24-bit PCM (WAVE_FORMAT_EXTENSIBLE)', args: ['-b', '24'], encoding: 'pcm', bits: 24 },
    { name: '32-bit PCM (WAVE_FORMAT_EXTENSIBLE)', args: ['-b', '32'], encoding: 'pcm', bits: 32 },
    { name: '32-bit float', args: ['-e', 'floating-point', '-b', '32'], encoding: 'float', bits: 32 },
    { name: 'μ-law (format 7, with a fact chunk)', args: ['-e', 'mu-law'], encoding: 'mulaw', bits: 8 },
    { name: 'A-law (format 6, with a fact chunk)', args: ['-e', 'a-law'], encoding: 'alaw', bits: 8 },
  ] as const;
  for (const { name, args, encoding, bits } of cases) {
    it(`decodes ${name} to the same 16-bit samples as SoX`, () => {
      const path = join(dir, `${name.replace(/\W+/g, '-')}.wav`);
      // A chirp over the whole band plus a loud low tone exercises every bit of the samples.
      execFileSync('sox', ['-D', '-n', '-r', '22050', '-c', '2', ...args, path, 'synth', '0.3', 'sine', '100-10000', 'sine', '300', 'vol', '0.9'], { stdio: 'ignore' });
      const wav = parseWav(readFileSync(path));
      assert.equal(wav.sampleRate, 22050);
      assert.equal(wav.channels, 2);
      assert.equal(wav.encoding, encoding);
      assert.equal(wav.bitsPerSample, bits);
      assert.equal(wav.samples.length, 2 * Math.round(0.3 * 22050));
      assert.deepEqual(wav.samples, soxDecodeToInt16(path));
    });
  }

  it('decodes espeak-ng speech (mono 22.05 kHz) exactly', () => {
    const path = join(dir, 'speech.wav');
    execFileSync('espeak-ng', ['-w', path, 'Testing one two three'], { env: espeakEnvironment() });
    const wav = parseWav(readFileSync(path));
    assert.equal(wav.channels, 1);
    assert.equal(wav.sampleRate, 22050);
    assert.deepEqual(wav.samples, soxDecodeToInt16(path));
  });
});

describe('parseWav on unusual but valid layouts', () => {
  const fmt16 = chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bits: 16 }));

  it('skips unknown chunks, including odd-sized ones followed by a pad byte', () => {
    const wav = riffWave([chunk('LIST', Buffer.from('abc')), fmt16, chunk('junk', Buffer.from('x')), chunk('data', int16Data([1, -2, 3]))]);
    assert.deepEqual([...parseWav(wav).samples], [1, -2, 3]);
  });

  it('reads the rest of the file when the data size is 0 or 0xFFFFFFFF (streamed WAV)', () => {
    for (const declared of [0, 0xffffffff]) {
      const wav = riffWave([fmt16, chunk('data', int16Data([5, 6, 7, 8]), declared)]);
      assert.deepEqual([...parseWav(wav).samples], [5, 6, 7, 8], `declared ${declared}`);
    }
  });

  it('reads what is there when the data chunk declares more than the file holds (issue 11: no error)', () => {
    const full = riffWave([fmt16, chunk('data', int16Data([1, 2, 3, 4]))]);
    assert.deepEqual([...parseWav(full.subarray(0, full.length - 3)).samples], [1, 2]);
  });

  it('drops a partial frame at the end of a streamed file', () => {
    const stereo = chunk('fmt ', fmtBody({ formatTag: 1, channels: 2, sampleRate: 8000, bits: 16 }));
    const data = Buffer.concat([int16Data([1, 2, 3, 4]), Buffer.from([9, 9, 9])]);
    const wav = Buffer.concat([riffWave([stereo]), Buffer.from('data'), Buffer.from([0, 0, 0, 0]), data]);
    assert.deepEqual([...parseWav(wav).samples], [1, 2, 3, 4]);
  });

  it('accepts an RF64 header whose sizes are all ones', () => {
    const wav = riffWave([fmt16, chunk('data', int16Data([42]), 0xffffffff)], 'RF64');
    assert.deepEqual([...parseWav(wav).samples], [42]);
  });

  it('reads 24 valid bits left-justified in a 32-bit WAVE_FORMAT_EXTENSIBLE container', () => {
    const fmt = chunk('fmt ', extensibleFmtBody({ subFormat: 1, channels: 1, sampleRate: 48000, containerBits: 32, validBits: 24 }));
    const data = Buffer.alloc(8);
    data.writeInt32LE(0x12340000, 0);
    // Rounded to nearest, not truncated: 0x1234.ff → 0x1235.
    data.writeInt32LE(-0x1234ff00, 4);
    const parsed = parseWav(riffWave([fmt, chunk('data', data)]));
    assert.equal(parsed.bitsPerSample, 24);
    assert.deepEqual([...parsed.samples], [0x1234, -0x1235]);
  });

  it('reads float via WAVE_FORMAT_EXTENSIBLE and saturates out-of-range values', () => {
    const fmt = chunk('fmt ', extensibleFmtBody({ subFormat: 3, channels: 1, sampleRate: 16000, containerBits: 32, validBits: 32 }));
    const data = Buffer.alloc(20);
    [0.5, -1, 1.5, -2, Number.NaN].forEach((value, i) => data.writeFloatLE(value, i * 4));
    const parsed = parseWav(riffWave([fmt, chunk('data', data)]));
    assert.equal(parsed.encoding, 'float');
    assert.deepEqual([...parsed.samples], [16384, -32768, 32767, -32768, 0]);
  });
});

describe('parseWav on invalid input', () => {
  const fmt16 = chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bits: 16 }));

  it('says "not a WAV file" for other data', () => {
    assertWavError(Buffer.from('ID3\u0004 this is an mp3, honest'), /^not a WAV file \(no RIFF\/WAVE header\)$/);
    assertWavError(Buffer.alloc(0), /^the file is empty \(no WAV header, no audio\)$/);
    assertWavError(Buffer.from('RIFF\u0000\u0000\u0000\u0000AVI LIST'), /not a WAV file/);
  });

  it('says the file is truncated when it ends inside the fmt chunk or before any data', () => {
    const full = riffWave([fmt16, chunk('data', int16Data([1]))]);
    assertWavError(full.subarray(0, 30), /truncated WAV file: the "fmt" chunk runs past the end/);
    assertWavError(full.subarray(0, 36), /no "data" chunk/);
    assertWavError(riffWave([chunk('data', int16Data([1]))]), /"fmt " chunk/);
  });

  it('names unsupported encodings and suggests converting them', () => {
    const adpcm = riffWave([chunk('fmt ', fmtBody({ formatTag: 2, channels: 1, sampleRate: 8000, bits: 4, blockAlign: 256 })), chunk('data', Buffer.alloc(256))]);
    assertWavError(adpcm, /^unsupported WAV encoding: Microsoft ADPCM, 4-bit \(convert it to PCM/);
    const pcm12 = riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bits: 48 })), chunk('data', Buffer.alloc(12))]);
    assertWavError(pcm12, /unsupported WAV encoding: 48-bit pcm/);
    const weirdGuid = chunk('fmt ', extensibleFmtBody({ subFormat: 1, channels: 1, sampleRate: 8000, containerBits: 16, validBits: 16, guidTail: 'ffffffff1000800000aa00389b71' }));
    assertWavError(riffWave([weirdGuid, chunk('data', Buffer.alloc(2))]), /unknown WAVE_FORMAT_EXTENSIBLE sub-format/);
  });

  it('rejects zero channels', () => {
    assertWavError(riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels: 0, sampleRate: 8000, bits: 16, blockAlign: 2 })), chunk('data', Buffer.alloc(2))]), /0 channels/);
  });

  it('rejects a sample rate no real WAV has (a corrupt header), naming it and the rates it reads', () => {
    const atRate = (sampleRate: number): Buffer => riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate, bits: 8 })), chunk('data', Buffer.alloc(2))]);
    for (const [rate, shown] of [[0, '0 Hz'], [1, '1 Hz'], [2, '2 Hz'], [7999, '7 999 Hz'], [384001, '384 001 Hz'], [4_000_000_000, '4 000 000 000 Hz']] as const) {
      assertWavError(atRate(rate), new RegExp(`^invalid WAV file: a sample rate of ${shown}; kaiwa reads WAV files at 8 000–384 000 Hz$`));
    }
    for (const rate of [8000, 384000]) assert.equal(parseWav(atRate(rate)).sampleRate, rate);
  });

  it('is a bad input file: exit 2, as the README says', () => {
    assert.throws(() => parseWav(Buffer.from('not a wav at all')), (error: unknown) => error instanceof WavFormatError && error.exitCode === 2);
  });
});

describe('encodeWav', () => {
  it('writes a 44-byte-header PCM16 WAV that SoX reads back sample for sample', () => {
    const samples = Int16Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 65536) - 32768);
    const wav = encodeWav(samples, 24000, 2);
    assert.equal(wav.length, 44 + 4000);
    const path = join(dir, 'encoded.wav');
    writeFileSync(path, wav);
    assert.equal(execFileSync('soxi', ['-r', path], { encoding: 'utf8' }).trim(), '24000');
    assert.equal(execFileSync('soxi', ['-c', path], { encoding: 'utf8' }).trim(), '2');
    assert.deepEqual(soxDecodeToInt16(path), samples);
    assert.deepEqual(parseWav(wav), { sampleRate: 24000, channels: 2, bitsPerSample: 16, encoding: 'pcm', samples });
  });

  it('refuses samples that do not fill whole frames', () => {
    assert.throws(() => encodeWav(new Int16Array(3), 8000, 2), RangeError);
  });
});

describe('readWavFile', () => {
  it('reports a missing file in one line naming the path, as a bad input file (exit 2)', () => {
    const path = join(dir, 'missing.wav');
    assert.throws(() => readWavFile(path), (error: unknown) => error instanceof KaiwaError && error.message === `cannot read ${path}: no such file or directory` && error.exitCode === 2);
  });

  it('reports a directory in one line', () => {
    const path = join(dir, 'a-directory.wav');
    mkdirSync(path);
    assert.throws(() => readWavFile(path), { message: `cannot read ${path}: it is a directory` });
  });

  it('reports an unreadable file as "permission denied" (checked as an unprivileged user)', () => {
    const path = join(dir, 'secret.wav');
    writeFileSync(path, encodeWav(new Int16Array(10), 8000, 1));
    chmodSync(path, 0o000);
    // Root reads anything, so the read runs without root's file privileges to meet a real EACCES.
    const script = `import(${JSON.stringify(new URL('../../src/audio/wav.ts', import.meta.url).href)}).then((m) => { try { m.readWavFile(${JSON.stringify(path)}); console.log('read it'); } catch (e) { console.log(e.message); } });`;
    const result = runNodeWithoutFilePrivileges(['--import', 'tsx', '-e', script]);
    assert.equal(result.stdout.trim(), `cannot read ${path}: permission denied`, result.stderr);
  });

  it('prefixes format errors with the path, still one line and a WavFormatError', () => {
    const path = join(dir, 'not-a-wav.wav');
    writeFileSync(path, 'hello');
    assert.throws(() => readWavFile(path), (error: unknown) => error instanceof WavFormatError && error.message === `${path}: not a WAV file (no RIFF/WAVE header)`);
  });

  it('says an empty file is empty, not that it is some other format', () => {
    const path = join(dir, 'empty.wav');
    writeFileSync(path, '');
    assert.throws(() => readWavFile(path), (error: unknown) => error instanceof WavFormatError && error.message === `${path}: the file is empty (no WAV header, no audio)`);
  });

  it('reads a good file', () => {
    const path = join(dir, 'good.wav');
    writeFileSync(path, encodeWav(Int16Array.from([1, 2, 3]), 16000, 1));
    assert.deepEqual([...readWavFile(path).samples], [1, 2, 3]);
  });

  it('maps EPERM like EACCES and keeps unknown errors readable', () => {
    assert.equal(describeFileError(Object.assign(new Error('x'), { code: 'EPERM' })), 'permission denied');
    assert.equal(describeFileError(new Error('disk on fire')), 'disk on fire');
  });
});
