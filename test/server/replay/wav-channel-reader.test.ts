import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeWav } from '../../../src/audio/wav.js';
import { WavChannelReader } from '../../../src/server/replay/wav-channel-reader.js';
import { audioTempDir } from '../../helpers/audio-tmp.js';
import { chunk, ffmpegPipeWav, fmtBody, int16Data, riffWave } from '../../helpers/audio-wav-builder.js';

const dir = audioTempDir('kaiwa-channel-reader-');

function write(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function readAll(reader: WavChannelReader, channel: number): number[] {
  return [...reader.read(channel, 0, reader.frames)];
}

test('reads each channel of a header the shared RIFF reader finds (ffmpeg pipe: LIST before data, sizes 0xFFFFFFFF)', () => {
  const reader = WavChannelReader.open(write('ffmpeg.wav', ffmpegPipeWav(int16Data([1, -1, 2, -2, 3, -3]), { sampleRate: 24000, channels: 2 })))!;
  try {
    assert.deepEqual({ rate: reader.sampleRate, channels: reader.channels, frames: reader.frames }, { rate: 24000, channels: 2, frames: 3 });
    assert.deepEqual(readAll(reader, 0), [1, 2, 3]);
    assert.deepEqual(readAll(reader, 1), [-1, -2, -3]);
  } finally {
    reader.close();
  }
});

test('counts the frames in the file, not the size a killed recorder left in the header', () => {
  const wav = encodeWav(Int16Array.from([4, 5, 6, 7]), 16000, 1);
  wav.writeUInt32LE(4, 40);
  const reader = WavChannelReader.open(write('killed.wav', wav))!;
  try {
    assert.deepEqual(readAll(reader, 0), [4, 5, 6, 7]);
  } finally {
    reader.close();
  }
});

test('is undefined for a missing file, a non-WAV and audio that is not PCM16', () => {
  assert.equal(WavChannelReader.open(join(dir, 'missing.wav')), undefined);
  assert.equal(WavChannelReader.open(write('text.wav', Buffer.from('hello'))), undefined);
  const mulaw = riffWave([chunk('fmt ', fmtBody({ formatTag: 7, channels: 1, sampleRate: 8000, bits: 8 })), chunk('data', Buffer.alloc(4))]);
  assert.equal(WavChannelReader.open(write('mulaw.wav', mulaw)), undefined);
});
