import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readWavLayout, readWavLayoutPrefix, wavDataBytes, type WavLayout } from '../../src/audio/riff-reader.js';
import { parseWav, WavFormatError } from '../../src/audio/wav.js';
import { pcm16WavHeader } from '../../src/audio/wav-header.js';
import { WavStreamHeader } from '../../src/server/speech/wav-stream-header.js';
import { audioTempDir } from '../helpers/audio-tmp.js';
import { chunk, ds64Chunk, extensibleFmtBody, ffmpegPipeWav, fmtBody, int16Data, riffWave } from '../helpers/audio-wav-builder.js';
import { espeakEnvironment } from '../../src/server/speech/espeak-install.js';

const dir = audioTempDir('kaiwa-riff-');
const fmt16 = chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bits: 16 }));

/** The audio bytes the reader picks out of a whole file. */
function audioOf(file: Buffer): Buffer {
  const layout = readWavLayout(file);
  return file.subarray(layout.dataOffset, layout.dataOffset + wavDataBytes(layout, file.length - layout.dataOffset));
}

function assertWavError(read: () => unknown, pattern: RegExp): void {
  assert.throws(read, (error: unknown) => {
    assert.ok(error instanceof WavFormatError, `expected WavFormatError, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
}

/** SoX's own 16-bit decoding of a WAV: the reference for what the reader should find. */
function soxRaw(wav: Buffer): Buffer {
  return execFileSync('sox', ['-D', '-t', 'wav', '-', '-t', 'raw', '-e', 'signed', '-b', '16', '-'], { input: wav, stdio: ['pipe', 'pipe', 'ignore'] });
}

describe('the RIFF reader on what real tools write', () => {
  it('espeak-ng --stdout: sizes 0x7FFFF024 / 0x7FFFF000, the audio runs to the end of the stream', () => {
    const text = 'Streaming header test.';
    const stream = execFileSync('espeak-ng', ['--stdout', text], { env: espeakEnvironment() });
    assert.equal(stream.readUInt32LE(4), 0x7ffff024, 'RIFF size placeholder');
    assert.equal(stream.toString('ascii', 36, 40), 'data');
    assert.equal(stream.readUInt32LE(40), 0x7ffff000, 'data size placeholder');
    const layout = readWavLayout(stream);
    assert.deepEqual({ ...layout, format: undefined }, { format: undefined, dataOffset: 44, declaredDataBytes: undefined });
    const seeked = join(dir, 'espeak-w.wav');
    execFileSync('espeak-ng', ['-w', seeked, text], { env: espeakEnvironment() });
    assert.deepEqual(parseWav(stream).samples, parseWav(readFileSync(seeked)).samples, 'same audio as espeak-ng -w (exact sizes)');
  });

  it('sox … -t wav - into a pipe: data size 0x7FFFF000, decoded as SoX decodes it', () => {
    const piped = execFileSync('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', '-t', 'wav', '-', 'synth', '0.25', 'sine', '300-3000'], { stdio: ['ignore', 'pipe', 'ignore'] });
    assert.equal(piped.readUInt32LE(40), 0x7ffff000);
    assert.equal(piped.length, 44 + 8000);
    assert.deepEqual(audioOf(piped), soxRaw(piped));
  });

  it('sox … -t wav - > file: SoX seeks back and writes the real sizes, which are honoured', () => {
    const path = join(dir, 'sox-redirect.wav');
    execFileSync('sh', ['-c', 'sox -n -r 16000 -c 1 -b 16 -t wav - synth 0.25 sine 300-3000 > "$1"', 'sh', path]);
    const file = readFileSync(path);
    assert.equal(file.readUInt32LE(40), 8000);
    assert.equal(readWavLayout(file).declaredDataBytes, 8000);
    assert.deepEqual(audioOf(file), soxRaw(file));
  });

  it("ffmpeg's pipe header: RIFF and data sizes 0xFFFFFFFF, a LIST/INFO chunk before the data", () => {
    const audio = int16Data([1, -2, 3, -4, 5]);
    const file = ffmpegPipeWav(audio, { sampleRate: 24000, channels: 1 });
    assert.equal(file.length, 78 + audio.length);
    const layout = readWavLayout(file);
    assert.equal(layout.dataOffset, 78);
    assert.equal(layout.declaredDataBytes, undefined);
    assert.deepEqual(layout.format, { encoding: 'pcm', channels: 1, sampleRate: 24000, bitsPerSample: 16, bytesPerSample: 2 });
    assert.deepEqual(audioOf(file), audio);
    assert.deepEqual(soxRaw(file), audio, 'SoX reads the same bytes: the header is a valid one');
  });
});

describe('the RIFF reader on data sizes', () => {
  const audio = int16Data([5, 6, 7, 8]);

  it('reads to the end of the file for a data size of 0, 0x7FFFF000 or 0xFFFFFFFF', () => {
    for (const declared of [0, 0x7ffff000, 0xffffffff]) {
      const file = riffWave([fmt16, chunk('data', audio, declared)]);
      assert.equal(readWavLayout(file).declaredDataBytes, undefined, `declared ${declared}`);
      assert.deepEqual(audioOf(file), audio, `declared ${declared}`);
    }
  });

  it('reads to the end of the file, without error, when the data size runs past it', () => {
    for (const declared of [audio.length + 1, 1000, 0x7fffffff]) {
      assert.deepEqual(audioOf(riffWave([fmt16, chunk('data', audio, declared)])), audio, `declared ${declared}`);
    }
  });

  it('stops at the declared size when more follows (a chunk after the data is not audio)', () => {
    const file = riffWave([fmt16, chunk('data', audio), chunk('LIST', Buffer.from('INFOxxxx'))]);
    assert.equal(readWavLayout(file).declaredDataBytes, audio.length);
    assert.deepEqual(audioOf(file), audio);
  });

  it('wavDataBytes never goes negative and never past what is there', () => {
    const layout: WavLayout = { format: readWavLayout(riffWave([fmt16, chunk('data', audio)])).format, dataOffset: 44, declaredDataBytes: 10 };
    assert.equal(wavDataBytes(layout, -3), 0);
    assert.equal(wavDataBytes(layout, 4), 4);
    assert.equal(wavDataBytes(layout, 40), 10);
    assert.equal(wavDataBytes({ ...layout, declaredDataBytes: undefined }, 40), 40);
  });
});

describe('the RIFF reader on RF64', () => {
  const audio = int16Data([1, 2, 3, 4]);
  const trailer = chunk('LIST', Buffer.from('INFOxxxx'));

  it('takes the data size from ds64 when the 32-bit one reads 0xFFFFFFFF', () => {
    const file = riffWave([ds64Chunk(audio.length), fmt16, chunk('data', audio, 0xffffffff), trailer], 'RF64');
    assert.equal(readWavLayout(file).declaredDataBytes, audio.length);
    assert.deepEqual(audioOf(file), audio);
  });

  it('reads to the end when ds64 holds 0 (written to a pipe) or is missing', () => {
    assert.deepEqual(audioOf(riffWave([ds64Chunk(0), fmt16, chunk('data', audio, 0xffffffff)], 'RF64')), audio);
    assert.deepEqual(audioOf(riffWave([fmt16, chunk('data', audio, 0xffffffff)], 'RF64')), audio);
  });

  it('a ds64 size past the end of the file reads to the end too', () => {
    assert.deepEqual(audioOf(riffWave([ds64Chunk(2 ** 33), fmt16, chunk('data', audio, 0xffffffff)], 'RF64')), audio);
  });

  it('says so in one line when the ds64 chunk is too short', () => {
    assertWavError(() => readWavLayout(riffWave([chunk('ds64', Buffer.alloc(8)), fmt16, chunk('data', audio)], 'RF64')), /^invalid RF64 file: the "ds64" chunk is 8 bytes, expected at least 24$/);
  });
});

describe('the RIFF reader on chunk layout', () => {
  it('skips odd-sized chunks and their pad byte, before and after "fmt "', () => {
    const file = riffWave([chunk('LIST', Buffer.from('abc')), fmt16, chunk('junk', Buffer.from('x')), chunk('data', int16Data([1, -2, 3]))]);
    // 12 + (8 + 3 + 1 pad) + (8 + 16) + (8 + 1 + 1 pad) + 8
    assert.equal(readWavLayout(file).dataOffset, 66);
    assert.deepEqual(audioOf(file), int16Data([1, -2, 3]));
  });

  it('reads WAVE_FORMAT_EXTENSIBLE with PCM, A-law and μ-law sub-formats', () => {
    const cases = [
      { subFormat: 1, bits: 16, encoding: 'pcm' },
      { subFormat: 6, bits: 8, encoding: 'alaw' },
      { subFormat: 7, bits: 8, encoding: 'mulaw' },
    ] as const;
    for (const { subFormat, bits, encoding } of cases) {
      const fmt = chunk('fmt ', extensibleFmtBody({ subFormat, channels: 2, sampleRate: 8000, containerBits: bits, validBits: bits }));
      const layout = readWavLayout(riffWave([fmt, chunk('data', Buffer.alloc(8))]));
      assert.deepEqual(layout.format, { encoding, channels: 2, sampleRate: 8000, bitsPerSample: bits, bytesPerSample: bits / 8 });
      assert.equal(layout.dataOffset, 12 + 8 + 40 + 8);
    }
  });

  it('reads the WAVE_FORMAT_EXTENSIBLE header SoX writes for 24-bit audio', () => {
    const file = execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '24', '-t', 'wav', '-', 'synth', '0.01', 'sine', '440'], { stdio: ['ignore', 'pipe', 'ignore'] });
    assert.equal(file.readUInt16LE(20), 0xfffe);
    const layout = readWavLayout(file);
    assert.deepEqual(layout.format, { encoding: 'pcm', channels: 1, sampleRate: 8000, bitsPerSample: 24, bytesPerSample: 3 });
    assert.equal(wavDataBytes(layout, file.length - layout.dataOffset), 80 * 3);
  });
});

describe('the RIFF reader on the first bytes of a stream', () => {
  it('waits until the data chunk header is complete, then finds what the whole file gives', () => {
    const file = ffmpegPipeWav(int16Data([9, 9]), { sampleRate: 16000, channels: 1 });
    for (let length = 0; length < 78; length++) {
      assert.equal(readWavLayoutPrefix(file.subarray(0, length)), undefined, `${length} bytes`);
    }
    assert.deepEqual(readWavLayoutPrefix(file.subarray(0, 78)), readWavLayout(file));
  });

  it('fails at once on bytes that cannot start a WAV', () => {
    assertWavError(() => readWavLayoutPrefix(Buffer.from('ID3\u0004 this is an mp3')), /^not a WAV file \(no RIFF\/WAVE header\)$/);
  });

  it('WavStreamHeader takes the ffmpeg and RF64 headers a byte at a time and hands on the audio', () => {
    const audio = int16Data([1, 2, 3]);
    const files = [
      ffmpegPipeWav(audio, { sampleRate: 22050, channels: 1 }),
      riffWave([ds64Chunk(0), chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 22050, bits: 16 })), chunk('data', audio, 0xffffffff)], 'RF64'),
    ];
    for (const file of files) {
      const header = new WavStreamHeader();
      let start: ReturnType<WavStreamHeader['push']>;
      let at = 0;
      while (!start && at < file.length) start = header.push(file.subarray(at, ++at));
      assert.deepEqual(start?.format, { sampleRate: 22050, channels: 1, bitsPerSample: 16 });
      assert.deepEqual(Buffer.concat([start!.audio, file.subarray(at)]), audio);
    }
  });

  it('WavStreamHeader refuses what it cannot hand on as PCM16, in one line', () => {
    const mulaw = riffWave([chunk('fmt ', fmtBody({ formatTag: 7, channels: 1, sampleRate: 8000, bits: 8 })), chunk('data', Buffer.alloc(4), 0)]);
    assertWavError(() => new WavStreamHeader().push(mulaw), /^unsupported WAV stream: 8-bit mulaw \(PCM16 expected\)$/);
    const endless = Buffer.concat([pcm16WavHeader(8000, 1, 0).subarray(0, 36), Buffer.from('LIST'), Buffer.from([0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(70_000)]);
    assertWavError(() => new WavStreamHeader().push(endless), /^no WAV data chunk in the first 64 KB$/);
  });
});

describe('the RIFF reader on truly bad files', () => {
  it('names the problem in one line', () => {
    const full = riffWave([fmt16, chunk('data', int16Data([1]))]);
    assertWavError(() => readWavLayout(Buffer.from('RIFF\u0000\u0000\u0000\u0000AVI LIST')), /^not a WAV file \(no RIFF\/WAVE header\)$/);
    assertWavError(() => readWavLayout(full.subarray(0, 8)), /^not a WAV file/);
    assertWavError(() => readWavLayout(full.subarray(0, 30)), /^truncated WAV file: the "fmt" chunk runs past the end of the file$/);
    assertWavError(() => readWavLayout(full.subarray(0, 36)), /^invalid WAV file: no "data" chunk \(truncated\?\)$/);
    assertWavError(() => readWavLayout(riffWave([chunk('LIST', Buffer.alloc(4))])), /^invalid WAV file: no "fmt " chunk \(truncated\?\)$/);
    assertWavError(() => readWavLayout(riffWave([chunk('data', int16Data([1])), fmt16])), /^invalid WAV file: the audio data comes before the "fmt " chunk/);
    assertWavError(() => readWavLayout(riffWave([chunk('fmt ', Buffer.alloc(6)), chunk('data', int16Data([1]))])), /^invalid WAV file: the "fmt " chunk is 6 bytes, expected at least 16$/);
  });
});
