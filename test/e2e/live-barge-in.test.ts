import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ClientEvent } from 'openai/resources/live/live';
import { startPulse, SourceCapture, type PulseServer } from '../helpers/audio-pulse.js';
import { LIVE_CLIENT_EVENTS, eventId, speak, startLivePeer, type LiveConnection, type LivePeer } from '../helpers/live-peer.js';
import { tone } from '../helpers/server-speech.js';
import { runKaiwa } from '../helpers/cli-runner.js';
import { speechWav, tempDir } from '../helpers/wav-fixtures.js';
import { soundingSpans } from '../helpers/speaker-timeline.js';
import { dominantFrequency } from '../helpers/audio-signals.js';
import { waitFor } from '../helpers/wait-for.js';
import { loadSpeechDetectorFactory } from '../../src/server/speech/webrtc-speech-detector.js';
import type { SpeechDetector } from '../../src/server/speech/speech-detector.js';

const RATE = 24000;
/** The story: 8 s, sent at once (faster than real time), so only kaiwa can stop it sounding. */
const STORY = tone(8000, RATE, 8000, 440);
const ANSWER = tone(1500, RATE, 8000, 660);
let pulse: PulseServer;
let peer: LivePeer;
const dir = tempDir();

/**
 * What the Live peer heard and said, on this process's clock: it listens to kaiwa's
 * microphone with the WebRTC voice detector, like Live's own turn taking.
 */
interface PeerLog {
  storySentAt?: number;
  /** The first transcript fragment of the user's question: Live's only sign that the user is talking. */
  heardAt?: number;
  answeredAt?: number;
}
const log: PeerLog = {};

/** The Live model: a story to a typed request; the user's question interrupts it and is answered. */
function livePeerScript(createDetector: (rate: number) => SpeechDetector): (connection: LiveConnection, event: ClientEvent) => void {
  let detector: SpeechDetector | undefined;
  let timeline = 0;
  /** Audio heard since the user began speaking (ms), and whether the middle of the question was transcribed. */
  let heardMs: number | undefined;
  let midSent = false;
  return (connection, event) => {
    if (event.type === 'session.instructions.append' && log.storySentAt === undefined) {
      log.storySentAt = performance.now();
      timeline = speak(connection, STORY, ['Once upon a time, ', 'by the sea, ', 'the wind rose…'], 100);
      detector = createDetector(RATE);
      return;
    }
    if (event.type !== 'session.input_audio.append' || !detector || log.answeredAt !== undefined) return;
    const audio = Buffer.from(event.audio, 'base64');
    // Like Live, words are transcribed as they are heard: never 2 s without a fragment while
    // the user speaks (kaiwa, as the SDK's grouper, ends a user's turn after 2 s of none).
    if (heardMs !== undefined) {
      heardMs += audio.length / 2 / (RATE / 1000);
      if (heardMs >= 900 && !midSent) {
        midSent = true;
        connection.send({ type: 'session.input_transcript.delta', event_id: eventId(), delta: ' what about', start_ms: timeline + 300, end_ms: timeline + 900 });
      }
    }
    for (const boundary of detector.push(audio)) {
      if (boundary.type === 'start' && log.heardAt === undefined) {
        log.heardAt = performance.now();
        heardMs = 0;
        connection.send({ type: 'session.input_transcript.delta', event_id: eventId(), delta: 'Wait,', start_ms: timeline, end_ms: timeline + 300 });
      }
      if (boundary.type === 'stop' && log.heardAt !== undefined) {
        log.answeredAt = performance.now();
        connection.send({ type: 'session.input_transcript.delta', event_id: eventId(), delta: `${midSent ? '' : ' what about'} the mountains?`, start_ms: timeline + 900, end_ms: timeline + 1500 });
        speak(connection, ANSWER, ['The mountains are cold.'], timeline + 1700);
        connection.send({ type: 'session.usage.updated', event_id: eventId(), usage: { seconds: 12 } });
      }
    }
  };
}

before(async () => {
  pulse = await startPulse();
  const factory = await loadSpeechDetectorFactory();
  peer = await startLivePeer({ onEvent: livePeerScript((sampleRate) => factory({ sampleRate, threshold: 0.5, silenceDurationMs: 500 })) });
});
after(async () => {
  await peer.close();
  await pulse.stop();
});

function play(wav: string, sink: string): Promise<void> {
  return new Promise((resolve) => spawn('paplay', [`--device=${sink}`, wav]).on('exit', () => resolve()));
}

/** Resolves once `capture` holds `ms` more audio than now: time measured by the sound server. */
function captureMore(capture: SourceCapture, ms: number): Promise<void> {
  const until = capture.capturedSamples + (capture.sampleRate * ms) / 1000;
  return waitFor(() => capture.capturedSamples >= until, { what: `${ms} ms more captured audio`, timeoutMs: ms + 5000 }).then(() => undefined);
}

test('barge-in on GPT-Live with real devices: the Live peer hears the question, kaiwa\'s speaker goes silent, the heard part is reported, and the question is answered', async () => {
  const question = speechWav(dir, 'Wait, what about the mountains?', 48000, 1, 'live-question.wav');
  const speaker = new SourceCapture('spk.monitor', RATE);
  await speaker.ready();
  const captureStartedAt = performance.now() - 10;
  let driverError: unknown;
  const result = await runKaiwa(['--url', peer.url, '--protocol', 'live', '--text', 'Tell me a long story about the sea.', '--debug'], {
    env: { OPENAI_API_KEY: 'sk-live-barge-0000' },
    keepStdinOpen: true,
    timeoutMs: 30_000,
    onSpawn: (child) => {
      void (async () => {
        await waitFor(() => log.storySentAt, { what: 'the story' });
        // 1.5 s into the story (as the speaker played it), the user talks over it.
        await waitFor(() => soundingSpans(speaker.recentSamples(200), RATE).length > 0, { what: 'the story sounding' });
        await captureMore(speaker, 1500);
        await play(question, 'mic');
        await waitFor(() => log.answeredAt, { what: 'the answer' });
        // The answer, and a second more: the story must not come back.
        await captureMore(speaker, 2500);
      })().catch((error: unknown) => { driverError = error; }).finally(() => child.kill('SIGTERM'));
    },
  });
  const recorded = await speaker.stop();
  assert.equal(driverError, undefined, result.stderr);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(log.heardAt, 'the Live peer heard the question');
  const cut = result.stderr.match(/interrupted (\S+) after (\d+) ms \(truncated\)/);
  assert.ok(cut, `kaiwa stopped the story and said how much was heard:\n${result.stderr}`);
  const spans = soundingSpans(recorded, RATE);
  const story = spans[0]!;
  const heardInRecording = log.heardAt - captureStartedAt;
  const silentAfterMs = story.endMs - heardInRecording;
  console.log(`speaker silent ${silentAfterMs.toFixed(0)} ms after the first transcript fragment; story heard ${(story.endMs - story.startMs).toFixed(0)} ms of 8000, kaiwa says ${cut[2]} ms; spans ${JSON.stringify(spans)}, fragment at ${heardInRecording.toFixed(0)} ms`);
  assert.ok(story.endMs - story.startMs < 6000, 'the story was cut short');
  assert.ok(silentAfterMs <= 100, `speaker still sounding ${silentAfterMs} ms after the peer's first fragment`);
  // The story came in one burst (the player then tops SoX up a second ahead); kaiwa's estimate of
  // what sounded was off by up to +76 ms in runs at load 3-7 here (the GA test, whose reply is
  // streamed, holds ±50 ms); the cause of the wider spread is not pinned down.
  assert.ok(Math.abs(story.endMs - story.startMs - Number(cut[2])) <= 100, 'heard-ms within ±100 ms of what the speaker played');
  // After the cut, only the answer (660 Hz) sounds: the story (440 Hz) never comes back. Pieces
  // shorter than 50 ms are clicks as SoX stops; a gap under load may split the answer in two.
  const after = spans.filter((span) => span.startMs > heardInRecording + 100 && span.endMs - span.startMs > 50);
  const pitches = after.map((span) => dominantFrequency(recorded.subarray(Math.round((span.startMs * RATE) / 1000), Math.round((span.endMs * RATE) / 1000)), RATE, 300, 800, 10));
  assert.ok(after.length > 0, 'the answer was played');
  assert.deepEqual(pitches.filter((pitch) => Math.abs(pitch - 660) > 10), [], 'nothing but the answer after the cut: the story does not resume');
  const answerMs = after.reduce((sum, span) => sum + span.endMs - span.startMs, 0);
  assert.ok(Math.abs(answerMs - 1500) <= 100, `the whole answer (${answerMs} ms of 1500)`);
  assert.match(result.stdout, /^you: Wait, what about the mountains\?$/m);
  assert.match(result.stdout, /^assistant: The mountains are cold\.$/m);
  const connection = peer.connections[0]!;
  const foreign = connection.received.filter((event) => !LIVE_CLIENT_EVENTS.has(event.type)).map((event) => event.type);
  assert.deepEqual(foreign, [], 'kaiwa sent Live client events only (Live has no truncate: heard-ms stays kaiwa\'s)');
});
