import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { audioTempDir } from '../helpers/audio-tmp.js';
import { readWav } from './recording-helpers.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/record-until-killed.ts', import.meta.url));
const RECORD_MS = 1500;

describe('a recording killed with SIGKILL', () => {
  it('leaves readable files that miss at most the last second', async () => {
    const dir = join(audioTempDir('kaiwa-kill-'), 'rec');
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    await once(child.stdout, 'data');
    const startedAt = performance.now();
    await sleep(RECORD_MS);
    child.kill('SIGKILL');
    const [code, signal] = await exited;
    assert.equal(signal, 'SIGKILL', `exited by itself with code ${String(code)}`);
    const recordedMs = performance.now() - startedAt;

    // The WAV's header is valid up to the last flush and never claims missing bytes.
    const wavPath = join(dir, 'conversation.wav');
    const header = readFileSync(wavPath).subarray(0, 44);
    assert.ok(header.readUInt32LE(40) <= statSync(wavPath).size - 44);
    const wav = readWav(dir);
    assert.equal(wav.channels, 2);
    const wavMs = (wav.samples.length / 2 / wav.sampleRate) * 1000;
    assert.ok(wavMs >= recordedMs - 1000, `WAV holds ${wavMs} ms of ${recordedMs} ms`);

    // Every line of events.jsonl is whole, the long ones included.
    const text = readFileSync(join(dir, 'events.jsonl'), 'utf8');
    assert.ok(text.endsWith('\n'), 'the last line is whole');
    const lines = text.trimEnd().split('\n');
    const records = lines.map((line) => JSON.parse(line) as { t: number; event: { type: string } });
    assert.ok(records.some((r) => r.event.type === 'session.update'), 'long lines were written');
    assert.ok(records.at(-1)!.t >= recordedMs - 1000, `last event at ${records.at(-1)!.t} ms of ${recordedMs} ms`);

    assert.match(readFileSync(join(dir, 'transcript.md'), 'utf8'), /^# kaiwa conversation\n/);
  });
});
