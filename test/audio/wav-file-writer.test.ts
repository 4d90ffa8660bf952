import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KaiwaError } from '../../src/errors.js';
import { parseWav } from '../../src/audio/wav.js';
import { WavFileWriter } from '../../src/audio/wav-file-writer.js';
import { audioTempDir } from '../helpers/audio-tmp.js';

const dir = audioTempDir('kaiwa-wav-writer-');

function ramp(length: number, start = 0): Int16Array {
  return Int16Array.from({ length }, (_, i) => ((start + i) * 37) % 30000);
}

describe('WavFileWriter', () => {
  it('writes mono PCM16 that SoX reads with the right rate, length and samples', async () => {
    const path = join(dir, 'mono.wav');
    const writer = new WavFileWriter(path, { sampleRate: 24000, channels: 1 });
    writer.append(ramp(24000));
    writer.append(Buffer.from(ramp(480, 24000).buffer));
    await writer.close();
    assert.equal(execFileSync('soxi', ['-s', path], { encoding: 'utf8' }).trim(), '24480');
    assert.equal(execFileSync('soxi', ['-r', path], { encoding: 'utf8' }).trim(), '24000');
    assert.deepEqual(parseWav(readFileSync(path)).samples, ramp(24480));
    assert.equal(writer.durationMs, 1020);
  });

  it('closes on a device that cannot be synced (/dev/null) without an error', async () => {
    const writer = new WavFileWriter('/dev/null', { sampleRate: 24000, channels: 1 });
    writer.append(ramp(480));
    await writer.close();
  });

  it('writes interleaved stereo', async () => {
    const path = join(dir, 'stereo.wav');
    const writer = new WavFileWriter(path, { sampleRate: 8000, channels: 2 });
    writer.append(Int16Array.from([1, -1, 2, -2]));
    await writer.close();
    const wav = parseWav(readFileSync(path));
    assert.equal(wav.channels, 2);
    assert.deepEqual([...wav.samples], [1, -1, 2, -2]);
    assert.equal(execFileSync('soxi', ['-c', path], { encoding: 'utf8' }).trim(), '2');
  });

  it('keeps the file a valid WAV holding everything appended so far, before close()', () => {
    const path = join(dir, 'live.wav');
    const writer = new WavFileWriter(path, { sampleRate: 16000, channels: 1 });
    assert.equal(parseWav(readFileSync(path)).samples.length, 0);
    for (let chunk = 1; chunk <= 5; chunk++) {
      writer.append(ramp(320, (chunk - 1) * 320));
      const onDisk = readFileSync(path);
      assert.equal(onDisk.readUInt32LE(40), chunk * 640, 'data size field');
      assert.equal(onDisk.readUInt32LE(4), onDisk.length - 8, 'RIFF size field');
      assert.deepEqual(parseWav(onDisk).samples, ramp(chunk * 320));
    }
    return writer.close();
  });

  it('leaves a playable WAV when the writing process is killed with SIGKILL', async () => {
    const path = join(dir, 'killed.wav');
    const writerUrl = new URL('../../src/audio/wav-file-writer.ts', import.meta.url).href;
    // 2.5 s in 20 ms chunks, then an unclean death: no close(), no exit handlers.
    const script = `
      const { WavFileWriter } = await import(${JSON.stringify(writerUrl)});
      const writer = new WavFileWriter(${JSON.stringify(path)}, { sampleRate: 24000, channels: 1 });
      for (let chunk = 0; chunk < 125; chunk++) {
        writer.append(Int16Array.from({ length: 480 }, (_, i) => ((chunk * 480 + i) * 37) % 30000));
      }
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'inherit'] });
    const signal = await new Promise((resolve) => child.on('exit', (_code, exitSignal) => resolve(exitSignal)));
    assert.equal(signal, 'SIGKILL');
    const wav = parseWav(readFileSync(path));
    assert.deepEqual(wav.samples, ramp(125 * 480));
    assert.equal(execFileSync('soxi', ['-D', path], { encoding: 'utf8' }).trim(), '2.500000');
  });

  it('close() is idempotent and later appends are refused', async () => {
    const writer = new WavFileWriter(join(dir, 'closed.wav'), { sampleRate: 8000, channels: 1 });
    writer.append(ramp(80));
    const first = writer.close();
    assert.equal(writer.close(), first);
    await first;
    await writer.close();
    assert.throws(() => writer.append(ramp(2)), /after close/);
  });

  it('refuses a buffer that does not hold whole frames', () => {
    const writer = new WavFileWriter(join(dir, 'frames.wav'), { sampleRate: 8000, channels: 2 });
    assert.throws(() => writer.append(Buffer.alloc(6)), RangeError);
    assert.throws(() => writer.append(new Int16Array(3)), RangeError);
    return writer.close();
  });

  it('reports files it cannot create in one line', () => {
    const missingDir = join(dir, 'no-such-dir', 'out.wav');
    assert.throws(() => new WavFileWriter(missingDir, { sampleRate: 8000, channels: 1 }), (error: unknown) =>
      error instanceof KaiwaError && error.message === `cannot write ${missingDir}: no such file or directory`);
    assert.throws(() => new WavFileWriter('/dev/full', { sampleRate: 8000, channels: 1 }), { message: 'cannot write /dev/full: no space left on the device' });
  });
});
