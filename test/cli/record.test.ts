import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { startTestServer } from '../helpers/server-harness.js';
import { silence, tone } from '../helpers/server-speech.js';
import { KAIWA_BIN, runKaiwa } from '../helpers/cli-runner.js';
import { TmuxSession } from '../helpers/tmux.js';
import { tempDir } from '../helpers/wav-fixtures.js';
import { encodeWav, parseWav } from '../../src/audio/wav.js';
import { bufferToInt16 } from '../../src/audio/pcm16.js';
import { waitFor } from '../helpers/wait-for.js';

const KEY = 'sk-record-test-SECRET-0123456789';

interface Line { t: number; dir: string; event: { type: string; audio?: { bytes: number; wavOffsetMs: number | null }; delta?: { bytes: number; wavOffsetMs: number | null } } }

function readEvents(dir: string): Line[] {
  return readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Line);
}

/** First ms (in 10 ms steps) at or after `fromMs` where a channel carries sound. */
function onsetMs(samples: Int16Array, channel: number, fromMs: number, rate = 24000): number {
  const frame = rate / 100;
  for (let start = Math.floor((fromMs * rate) / 1000); start + frame <= samples.length / 2; start += frame) {
    let peak = 0;
    for (let i = start; i < start + frame; i++) peak = Math.max(peak, Math.abs(samples[i * 2 + channel]!));
    if (peak > 1000) return (start / rate) * 1000;
  }
  return -1;
}

function inputWav(dir: string): string {
  const path = join(dir, 'in.wav');
  writeFileSync(path, encodeWav(bufferToInt16(Buffer.concat([silence(500), tone(900), silence(1500)])), 24000, 1));
  return path;
}

test('--record against kaiwa serve: channels line up with the event log, transcript matches, no key anywhere', async () => {
  const server = await startTestServer();
  const dir = tempDir();
  const record = join(dir, 'rec');
  const result = await runKaiwa(['--url', server.url, '--input', inputWav(dir), '--no-speaker', '--once', '--record', record, '--silence-ms', '400'], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(result.code, 0, result.stderr);
  const events = readEvents(record);
  const wav = parseWav(readFileSync(join(record, 'conversation.wav')));
  assert.equal(wav.channels, 2);
  const firstLoudAppend = events.find((line) => line.event.type === 'input_audio_buffer.append' && (line.event.audio?.wavOffsetMs ?? 0) >= 500)!;
  const userOnset = onsetMs(wav.samples, 0, 0);
  assert.ok(Math.abs(userOnset - 500) <= 50, `user tone at ${userOnset} ms in the WAV, sent at 500 ms`);
  assert.ok(Math.abs(firstLoudAppend.event.audio!.wavOffsetMs! - firstLoudAppend.t + 20) <= 50, 'append offset matches its timestamp');
  const firstDelta = events.find((line) => line.event.type === 'response.output_audio.delta')!;
  const assistantOnset = onsetMs(wav.samples, 1, 0);
  assert.ok(Math.abs(assistantOnset - firstDelta.t) <= 50, `assistant at ${assistantOnset} ms in the WAV, delta at ${firstDelta.t} ms`);
  assert.equal(onsetMs(wav.samples, 1, 0) > userOnset, true);
  const transcript = readFileSync(join(record, 'transcript.md'), 'utf8');
  assert.match(transcript, /You:\*\* hello from the test/);
  assert.match(transcript, /Assistant:\*\* You said: hello from the test/);
  assert.match(result.stdout, /^you: hello from the test$/m);
  for (const file of readdirSync(record)) {
    const bytes = readFileSync(join(record, file));
    assert.ok(!bytes.includes(KEY), `${file} holds the key`);
    assert.ok(!bytes.includes('SECRET-0123456789'), `${file} holds part of the key`);
  }
});

test('kaiwa killed with SIGKILL mid-session leaves a readable recording', async () => {
  const server = await startTestServer();
  const dir = tempDir();
  const record = join(dir, 'rec');
  const eventsOnDisk = (): number => (existsSync(join(record, 'events.jsonl')) ? readFileSync(join(record, 'events.jsonl'), 'utf8').split('\n').length - 1 : 0);
  let sessionMs = 0;
  await runKaiwa(['--url', server.url, '--input', inputWav(dir), '--no-speaker', '--record', record], {
    env: { OPENAI_API_KEY: KEY },
    keepStdinOpen: true,
    // Killed mid-session: once the recording is under way (however long a loaded machine takes to get there).
    onSpawn: (child) => {
      const spawnedAt = performance.now();
      void waitFor(() => eventsOnDisk() > 20, { what: 'the recording to get under way', timeoutMs: 15_000 })
        .catch(() => undefined)
        .then(() => {
          sessionMs = performance.now() - spawnedAt;
          child.kill('SIGKILL');
        });
    },
  });
  const wav = parseWav(readFileSync(join(record, 'conversation.wav')));
  assert.equal(wav.channels, 2);
  const seconds = wav.samples.length / 2 / 24000;
  const lines = readFileSync(join(record, 'events.jsonl'), 'utf8').trim().split('\n');
  const lastEventMs = Math.max(...lines.map((line) => (JSON.parse(line) as { t: number }).t));
  assert.ok(lines.length > 20);
  assert.ok(seconds * 1000 >= lastEventMs - 1000, `${seconds} s of audio kept; the event log ran to ${lastEventMs} ms`);
  assert.ok(seconds * 1000 < sessionMs + 200, `no more audio (${seconds} s) than the session lasted (${sessionMs} ms)`);
});

test('kaiwa replay renders the recorded transcript', async () => {
  const server = await startTestServer();
  const dir = tempDir();
  const record = join(dir, 'rec');
  await runKaiwa(['--url', server.url, '--text', 'replay me', '--once', '--no-mic', '--no-speaker', '--record', record], { env: { OPENAI_API_KEY: KEY } });
  const replay = await runKaiwa(['replay', record, '--no-audio', '--speed', '20']);
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, /You: replay me/);
  assert.match(replay.stdout, /Assistant: You said: replay me/);
  const json = await runKaiwa(['replay', record, '--json']);
  assert.ok(json.stdout.trim().split('\n').every((line) => typeof JSON.parse(line).t === 'number'));
  const missing = await runKaiwa(['replay', join(dir, 'nope')]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
});

test('kaiwa replay in a terminal shows the transcript (tmux)', async () => {
  const server = await startTestServer();
  const dir = tempDir();
  const record = join(dir, 'rec');
  await runKaiwa(['--url', server.url, '--text', '俳句をひとつ', '--once', '--no-mic', '--no-speaker', '--record', record], { env: { OPENAI_API_KEY: KEY } });
  const tmux = new TmuxSession(`node ${KAIWA_BIN} replay ${record} --no-audio --speed 5; sleep 30`);
  try {
    const screen = await tmux.waitFor(/Assistant: You said: 俳句をひとつ/);
    assert.match(screen, /You: 俳句をひとつ/);
  } finally {
    await tmux.kill();
  }
});
