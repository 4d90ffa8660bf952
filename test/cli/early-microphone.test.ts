/**
 * The microphone starts recording while kaiwa connects, and what it heard meanwhile is held
 * and sent once the session is there: first, whole and in order. SoX's own start says
 * whether it is installed (no `sox --version` run first). A stand-in SoX records a counter
 * (sample n has the value n), so a lost, repeated or reordered chunk shows in the audio.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runKaiwa } from '../helpers/cli-runner.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { fakeSox } from '../helpers/audio-fake-sox.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { answering } from '../helpers/own-response.js';
import { gaVoiceTurn } from '../helpers/event-scripts.js';

const KEY = 'sk-test-early-microphone';
const RATE = 24000;

/** Records a counter in 40 ms blocks at real time (marking that it started); plays into nothing, or runs `player` instead. */
function counterSox(dir: string, player = 'exec cat > /dev/null'): { path: string; recording: string; calls: string } {
  const recording = join(dir, 'recording');
  const calls = join(dir, 'calls');
  const path = fakeSox(dir, 'sox', `echo "$*" >> '${calls}'
case "$*" in *--version*) echo 'sox: SoX v14.4.2'; exit 0;; esac
for last; do :; done
if [ "$last" = "-" ]; then
  touch '${recording}'
  exec python3 -c '
import struct, sys, time
n = 0
while True:
    sys.stdout.buffer.write(struct.pack("<960h", *[(n + i) % 32768 for i in range(960)]))
    sys.stdout.buffer.flush()
    n += 960
    time.sleep(0.04)
'
fi
${player}`);
  return { path, recording, calls };
}

test('audio captured while connecting reaches the server first, whole and in order, after session.update; no sox --version', async () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));
  const sox = counterSox(dir);
  let recordingBeforeAccepted = false;
  // The server takes the connection only once the microphone records (or gives up waiting).
  const server = await startScriptedServer({
    acceptWhen: () => waitFor(() => existsSync(sox.recording), { what: 'the microphone to start', timeoutMs: 5000 })
      .then(() => { recordingBeforeAccepted = true; }, () => undefined),
  });
  after(() => server.close());
  const oneSecond = RATE * 2;
  const result = await talkUntilAudio(server, sox.path, oneSecond, []);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(recordingBeforeAccepted, 'the microphone started only after the connection was accepted');
  const received = server.connections[0]!.received;
  assert.equal(received[0]?.type, 'session.update');
  const samples = new Int16Array(server.connections[0]!.audio.buffer.slice(server.connections[0]!.audio.byteOffset), 0, Math.floor(server.connections[0]!.audio.length / 2));
  assert.ok(samples.length >= RATE, `only ${samples.length} samples arrived`);
  const misplaced = samples.findIndex((value, index) => value !== index % 32768);
  assert.equal(misplaced, -1, `sample ${misplaced} is ${samples[misplaced]}: audio lost, repeated or out of order`);
  const calls = readFileSync(sox.calls, 'utf8').trim().split('\n');
  assert.ok(calls.length >= 2, `SoX ran ${calls.length} times: ${calls.join(' | ')}`);
  assert.ok(!calls.some((call) => call.includes('--version')), `SoX was asked its version: ${calls.join(' | ')}`);
});

/** A half-duplex conversation through the fake SoX, ended with Ctrl-C once the server has `bytes` of audio. */
function talkUntilAudio(server: Awaited<ReturnType<typeof startScriptedServer>>, soxPath: string, bytes: number, extra: string[]) {
  return runKaiwa(['--url', server.url, '--echo-guard', 'half-duplex', ...extra], {
    env: { OPENAI_API_KEY: KEY, KAIWA_SOX: soxPath },
    keepStdinOpen: true,
    onSpawn: (child) => {
      void waitFor(() => (server.connections[0]?.audio.length ?? 0) >= bytes, { what: `${bytes} bytes of audio`, timeoutMs: 15_000 })
        .finally(() => child.kill('SIGINT'));
    },
  });
}

/** The SoX commands a run started: recorders end with "-" (stdout), players with --default-device. */
function soxCalls(calls: string): { recorders: string[]; players: string[] } {
  const lines = existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n').filter(Boolean) : [];
  return { recorders: lines.filter((line) => line.endsWith(' -')), players: lines.filter((line) => line.endsWith('--default-device')) };
}

test('a voice conversation records from launch: the microphone\'s SoX, started before the rest of kaiwa loaded, is the one used', async () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));
  const sox = counterSox(dir);
  const server = await startScriptedServer();
  after(() => server.close());
  const result = await talkUntilAudio(server, sox.path, RATE, ['--debug']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /the microphone has recorded since launch/);
  const { recorders, players } = soxCalls(sox.calls);
  assert.equal(recorders.length, 1, `recording SoX started: ${recorders.join(' | ')}`);
  assert.equal(players.length, 1, `playing SoX started: ${players.join(' | ')}`);
});

test('no SoX is started for --version, --help, or a typed one-shot\'s microphone', async () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));
  const sox = counterSox(dir);
  for (const args of [['--version'], ['--help']]) {
    const result = await runKaiwa(args, { env: { OPENAI_API_KEY: KEY, KAIWA_SOX: sox.path } });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(soxCalls(sox.calls), { recorders: [], players: [] }, args.join(' '));
  }
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      for (const reply of answering(event, gaVoiceTurn({ assistantTranscript: 'Hello.', audioChunks: [] }))) connection.send(reply);
    },
  });
  after(() => server.close());
  const result = await runKaiwa(['--url', server.url, '--text', 'hi', '--once'], { env: { OPENAI_API_KEY: KEY, KAIWA_SOX: sox.path } });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(soxCalls(sox.calls).recorders, [], 'a typed one-shot recorded the microphone');
});

test('a speaker that cannot open is one line and the voice conversation goes on (stdin piped, nothing typed: a lost speaker does not end the run)', async () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));
  const sox = counterSox(dir, 'echo "sox FAIL sox: Sorry, there is no default audio device configured" >&2; exit 2');
  const server = await startScriptedServer();
  after(() => server.close());
  const result = await talkUntilAudio(server, sox.path, RATE * 2, []);
  assert.equal(result.code, 0, result.stderr);
  const warnings = result.stderr.split('\n').filter((line) => line.includes('no audio output device'));
  assert.equal(warnings.length, 1, result.stderr);
  assert.match(warnings[0]!, /no audio output device: Sorry, there is no default audio device configured; use --no-speaker/);
  assert.ok(server.connections[0]!.audio.length >= RATE * 2, 'the microphone\'s audio stopped');
  const { recorders, players } = soxCalls(sox.calls);
  assert.equal(recorders.length, 1);
  assert.equal(players.length, 1, `the speaker's SoX ran ${players.length} times`);
});
