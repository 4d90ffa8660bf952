import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startPulse, SourceCapture, type PulseServer } from '../helpers/audio-pulse.js';
import { eventId, startLivePeer, type LiveConnection, type LivePeer } from '../helpers/live-peer.js';
import { tone } from '../helpers/server-speech.js';
import { dominantFrequency, rms } from '../helpers/audio-signals.js';
import { playInto } from '../helpers/loop-scenario.js';
import { runKaiwa } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';
import { soundingSpans } from '../helpers/speaker-timeline.js';
import { waitFor } from '../helpers/wait-for.js';

const WIRE_RATE = 16000;
const REPLY_MS = 1500;

let pulse: PulseServer;
let peer: LivePeer;
/** The loud part of what the peer received, as 16 kHz PCM, once the user's tone has ended. */
let heard: Int16Array | undefined;
let replied = false;

/** Listens in 10 ms frames of 16 kHz PCM; when a loud stretch ends, answers with 1.5 s of a 440 Hz tone at 16 kHz. */
function onAudio(connection: LiveConnection): void {
  if (replied) return;
  const samples = new Int16Array(connection.audio.buffer.slice(connection.audio.byteOffset, connection.audio.byteOffset + connection.audio.length - (connection.audio.length % 2)));
  const frame = WIRE_RATE / 100;
  const loud: number[] = [];
  let endedAfterLoud = false;
  for (let at = 0; at + frame <= samples.length; at += frame) {
    const part = samples.subarray(at, at + frame);
    if (rms(part) > 1000) loud.push(...part);
    else if (loud.length >= WIRE_RATE / 2) endedAfterLoud = true;
  }
  if (!endedAfterLoud) return;
  replied = true;
  heard = Int16Array.from(loud);
  connection.send({ type: 'session.input_transcript.delta', event_id: eventId(), delta: 'Hmm.', start_ms: 0, end_ms: 1000 });
  const reply = tone(REPLY_MS, WIRE_RATE, 8000, 440);
  for (let at = 0; at < reply.length; at += 3200) connection.send({ type: 'session.output_audio.delta', delta: reply.subarray(at, at + 3200).toString('base64') });
  connection.send({ type: 'session.output_transcript.delta', event_id: eventId(), delta: 'A tone for you.', start_ms: 1100, end_ms: 1200 });
}

before(async () => {
  pulse = await startPulse();
  peer = await startLivePeer({ onEvent: (connection, event) => { if (event.type === 'session.input_audio.append') onAudio(connection); } });
});
after(async () => {
  await peer.close();
  await pulse.stop();
});

test('--audio-format pcm16-16k on real devices: the microphone reaches Live as 16 kHz PCM at its own pitch, and a 16 kHz reply plays for its length at its pitch', async () => {
  const dir = tempDir();
  const userTone = join(dir, 'user-300hz.wav');
  execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', userTone, 'synth', '1.0', 'sine', '300', 'vol', '0.5']);
  const speaker = new SourceCapture('spk.monitor', 24000);
  await speaker.ready();
  let driverError: unknown;
  const result = await runKaiwa(['--url', peer.url, '--protocol', 'live', '--audio-format', 'pcm16-16k', '--headphones'], {
    env: { OPENAI_API_KEY: 'sk-live-16k-0000' },
    keepStdinOpen: true,
    timeoutMs: 30_000,
    onSpawn: (child) => {
      void (async () => {
        await waitFor(() => peer.connections[0]?.session, { what: 'the Live session to start' });
        await playInto('mic', userTone);
        await waitFor(() => replied, { what: 'the peer to hear the tone and answer' });
        // The reply's length and a second more, measured by the sound server.
        const until = speaker.capturedSamples + (24000 * (REPLY_MS + 1000)) / 1000;
        await waitFor(() => speaker.capturedSamples >= until, { what: 'the reply to have played', timeoutMs: REPLY_MS + 6000 });
      })().catch((error: unknown) => { driverError = error; }).finally(() => child.kill('SIGTERM'));
    },
  });
  const recorded = await speaker.stop();
  assert.equal(driverError, undefined, result.stderr);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual((peer.connections[0]!.received[0] as { session: { audio: unknown } }).session.audio, { format: { type: 'audio/pcm', rate: 16000 } });
  assert.ok(heard && Math.abs(dominantFrequency(heard, WIRE_RATE, 100, 1000, 5) - 300) <= 10, 'the 300 Hz tone arrives as 300 Hz at 16 kHz');
  assert.ok(Math.abs(heard.length / WIRE_RATE - 1) <= 0.1, `a second of it (${(heard.length / WIRE_RATE).toFixed(2)} s)`);
  // (A click of a few ms as SoX starts or stops is no reply.)
  const spans = soundingSpans(recorded, 24000).filter((span) => span.endMs - span.startMs > 50);
  assert.equal(spans.length, 1, JSON.stringify(soundingSpans(recorded, 24000)));
  const reply = spans[0]!;
  assert.ok(Math.abs(reply.endMs - reply.startMs - REPLY_MS) <= 60, `played for ${reply.endMs - reply.startMs} ms of ${REPLY_MS}`);
  const played = recorded.subarray(Math.round((reply.startMs * 24000) / 1000), Math.round((reply.endMs * 24000) / 1000));
  assert.ok(Math.abs(dominantFrequency(played, 24000, 300, 700, 5) - 440) <= 10, 'at its own pitch');
  assert.match(result.stdout, /^assistant: A tone for you\.$/m);
});
