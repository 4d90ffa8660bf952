import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KaiwaError } from '../../src/errors.js';
import { parseWav } from '../../src/audio/wav.js';
import { WavFileSink } from '../../src/audio/wav-file-sink.js';
import { int16ToBuffer } from '../../src/audio/pcm16.js';
import { audioTempDir } from '../helpers/audio-tmp.js';

const dir = audioTempDir('kaiwa-wav-sink-');

describe('WavFileSink', () => {
  it('writes mono PCM16 at the format rate (8 kHz for G.711 sessions)', async () => {
    const path = join(dir, 'g711.wav');
    const sink = new WavFileSink(path, { sampleRate: 8000 });
    sink.write(int16ToBuffer(Int16Array.from([1, 2, 3])));
    sink.write(int16ToBuffer(Int16Array.from([4])));
    await sink.close();
    const wav = parseWav(readFileSync(path));
    assert.equal(wav.sampleRate, 8000);
    assert.equal(wav.channels, 1);
    assert.deepEqual([...wav.samples], [1, 2, 3, 4]);
  });

  it('keeps audio written before clear(): the file records everything received', async () => {
    const path = join(dir, 'cleared.wav');
    const sink = new WavFileSink(path, { sampleRate: 24000 });
    sink.write(int16ToBuffer(Int16Array.from([7, 8])));
    sink.clear();
    sink.write(int16ToBuffer(Int16Array.from([9])));
    await sink.close();
    assert.deepEqual([...parseWav(readFileSync(path)).samples], [7, 8, 9]);
  });

  it('drops writes after close() without throwing, and close() is idempotent', async () => {
    const path = join(dir, 'late.wav');
    const sink = new WavFileSink(path, { sampleRate: 24000 });
    sink.write(int16ToBuffer(Int16Array.from([1])));
    await sink.close();
    sink.write(int16ToBuffer(Int16Array.from([2])));
    await sink.close();
    assert.deepEqual([...parseWav(readFileSync(path)).samples], [1]);
  });

  it('emits one error (not one per chunk) when audio cannot be written', () => {
    const sink = new WavFileSink(join(dir, 'odd.wav'), { sampleRate: 24000 });
    const errors: Error[] = [];
    sink.on('error', (error: Error) => errors.push(error));
    sink.write(Buffer.alloc(3));
    sink.write(Buffer.alloc(3));
    assert.equal(errors.length, 1);
    return sink.close();
  });

  it('throws a one-line error at construction when the file cannot be created', () => {
    const path = join(dir, 'missing', 'x.wav');
    assert.throws(() => new WavFileSink(path, { sampleRate: 24000 }), (error: unknown) => error instanceof KaiwaError && !error.message.includes('\n') && error.message.includes(path));
  });
});
