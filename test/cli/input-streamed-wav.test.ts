/**
 * `kaiwa --input` on WAV files whose writer could not go back to fill in the sizes
 * (issue 11): each must be sent whole, byte for byte, and answered like any other WAV.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bufferToInt16, int16ToBuffer } from '../../src/audio/pcm16.js';
import { resample } from '../../src/audio/resample.js';
import { audioTempDir } from '../helpers/audio-tmp.js';
import { sine } from '../helpers/audio-signals.js';
import { ffmpegPipeWav } from '../helpers/audio-wav-builder.js';
import { assertNoStackTrace, cleanEnv, KAIWA_BIN, runKaiwa, type KaiwaResult } from '../helpers/cli-runner.js';
import { gaVoiceTurn } from '../helpers/event-scripts.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { espeakEnvironment } from '../../src/server/speech/espeak-install.js';

const SESSION_RATE = 24000;
const dir = audioTempDir('kaiwa-streamed-input-');
const servers: Array<{ close(): Promise<void> }> = [];
after(async () => { for (const server of servers) await server.close(); });

/** A real shell, so the redirect is the one a user types (espeak-ng in it told there is no sound server to look for). */
function shell(script: string, ...args: string[]): void {
  execFileSync('sh', ['-c', script, 'sh', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: espeakEnvironment() });
}

/** Runs `kaiwa --input file --once` against a server that answers once `expected` has all arrived. */
async function assertAnsweredTurn(file: string, expected: Buffer): Promise<void> {
  let answered = false;
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (answered || event.type !== 'input_audio_buffer.append' || connection.audio.length < expected.length) return;
      answered = true;
      for (const reply of gaVoiceTurn({ userTranscript: 'Is this streamed?', assistantTranscript: 'It is.', audioChunks: [Buffer.alloc(4800)] })) connection.send(reply);
    },
  });
  servers.push(server);
  const result = await runKaiwa(['--url', server.url, '--input', file, '--once', '--no-speaker'], { env: { OPENAI_API_KEY: 'sk-test-streamed-wav-0000' } });
  assert.equal(result.code, 0, result.stderr);
  const sent = server.connections[0]!.audio;
  assert.deepEqual(sent.subarray(0, expected.length), expected, 'the whole file was sent, unchanged');
  assert.ok(sent.subarray(expected.length).every((byte) => byte === 0), 'only silence after the file');
  assert.match(result.stdout, /^you: Is this streamed\?$/m);
  assert.match(result.stdout, /^assistant: It is\.$/m);
}

test('--input of `espeak-ng --stdout "…" > q.wav` (data size 0x7FFFF000) is sent whole and answered', async () => {
  const path = join(dir, 'q.wav');
  shell('espeak-ng --stdout "$1" > "$2"', 'Is this streamed?', path);
  const file = readFileSync(path);
  assert.equal(file.readUInt32LE(40), 0x7ffff000, 'espeak-ng left its placeholder size');
  const pcm = bufferToInt16(file.subarray(44));
  await assertAnsweredTurn(path, int16ToBuffer(resample(pcm, file.readUInt32LE(24), SESSION_RATE)));
});

test('--input of `sox … -t wav - | cat > f.wav` (data size 0x7FFFF000) is sent whole and answered', async () => {
  const path = join(dir, 'sox-pipe.wav');
  shell('sox -n -r 24000 -c 1 -b 16 -t wav - synth 0.6 sine 200-2000 vol 0.5 | cat > "$1"', path);
  const file = readFileSync(path);
  assert.equal(file.readUInt32LE(40), 0x7ffff000, 'SoX could not seek back on the pipe');
  await assertAnsweredTurn(path, file.subarray(44));
});

test('--input of `sox … -t wav - > f.wav` (SoX seeks back: real sizes) is sent whole and answered', async () => {
  const path = join(dir, 'sox-redirect.wav');
  shell('sox -n -r 24000 -c 1 -b 16 -t wav - synth 0.6 sine 200-2000 vol 0.5 > "$1"', path);
  const file = readFileSync(path);
  assert.equal(file.readUInt32LE(40), file.length - 44);
  await assertAnsweredTurn(path, file.subarray(44));
});

test("--input of a WAV with ffmpeg's pipe header (sizes 0xFFFFFFFF, LIST before data) is sent whole and answered", async () => {
  const path = join(dir, 'ffmpeg-pipe.wav');
  const audio = int16ToBuffer(sine({ frequency: 440, sampleRate: SESSION_RATE, ms: 600, amplitude: 8000 }));
  writeFileSync(path, ffmpegPipeWav(audio, { sampleRate: SESSION_RATE, channels: 1 }));
  await assertAnsweredTurn(path, audio);
});

/** `… | kaiwa ARGS` in a real shell: standard input is the pipe a user's command line makes. */
function pipedIntoKaiwa(producer: string, args: string[], env: Record<string, string>): Promise<KaiwaResult> {
  const child = spawn('sh', ['-c', `${producer} | "$0" "$@"`, process.execPath, KAIWA_BIN, ...args], {
    env: { ...cleanEnv(env), ...espeakEnvironment() }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
  return new Promise((resolve) => child.on('close', (code, signal) => {
    clearTimeout(timer);
    resolve({ code, signal, stdout, stderr });
  }));
}

test('--input - takes the WAV piped in (`espeak-ng --stdout "…" | kaiwa --input - --once`): sent whole and answered, nothing read as a typed line', async () => {
  const question = 'Is this piped?';
  const file = execFileSync('espeak-ng', ['--stdout', question], { env: espeakEnvironment() });
  const expected = int16ToBuffer(resample(bufferToInt16(file.subarray(44)), file.readUInt32LE(24), SESSION_RATE));
  let answered = false;
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (answered || event.type !== 'input_audio_buffer.append' || connection.audio.length < expected.length) return;
      answered = true;
      for (const reply of gaVoiceTurn({ userTranscript: question, assistantTranscript: 'It is.', audioChunks: [Buffer.alloc(4800)] })) connection.send(reply);
    },
  });
  servers.push(server);
  const result = await pipedIntoKaiwa(`espeak-ng --stdout "${question}"`, ['--url', server.url, '--input', '-', '--once', '--no-speaker'], { OPENAI_API_KEY: 'sk-test-piped-wav-0000' });
  assert.equal(result.code, 0, result.stderr);
  const sent = server.connections[0]!.audio;
  assert.deepEqual(sent.subarray(0, expected.length), expected, 'the piped audio was sent whole, unchanged');
  assert.match(result.stdout, /^assistant: It is\.$/m);
  const typed = server.connections[0]!.received.filter((event) => event.type === 'conversation.item.create');
  assert.deepEqual(typed, [], 'the WAV bytes were not taken for typed lines');
});

test('--input - with something else piped in: one line naming standard input, exit 2 (a bad input file), nothing sent or asked for', async () => {
  const server = await startScriptedServer();
  servers.push(server);
  const result = await pipedIntoKaiwa('echo "hello there"', ['--url', server.url, '--input', '-', '--once', '--no-speaker'], { OPENAI_API_KEY: 'sk-test-piped-wav-0000' });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^kaiwa: standard input: not a WAV file/m);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assertNoStackTrace(result.stderr);
  const sent = server.connections.flatMap((connection) => connection.received.map((event) => event.type));
  assert.deepEqual(sent.filter((type) => type !== 'session.update'), [], 'no audio and no response asked for');
});
