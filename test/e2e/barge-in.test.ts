import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startPulse, SourceCapture, type PulseServer } from '../helpers/audio-pulse.js';
import { startRealtimeServer, type RealtimeServer } from '../../src/server/realtime-server.js';
import { EchoEngine } from '../../src/server/engines/echo-engine.js';
import { startLoggingProxy, type LoggingProxy } from '../helpers/logging-proxy.js';
import { ToneSynthesizer } from '../helpers/server-speech.js';
import { runKaiwa } from '../helpers/cli-runner.js';
import { speechWav, tempDir } from '../helpers/wav-fixtures.js';
import { soundingSpans } from '../helpers/speaker-timeline.js';
import { loadSpeechParts } from '../../src/server/speech-parts.js';
import { waitFor } from '../helpers/wait-for.js';

let pulse: PulseServer;
let proxy: LoggingProxy;
let server: RealtimeServer;
const dir = tempDir();
const RATE = 24000;

before(async () => {
  pulse = await startPulse();
  const speech = await loadSpeechParts();
  assert.ok(speech.createDetector, 'the real speech detector is installed');
  server = await startRealtimeServer({ port: 0, engine: new EchoEngine(), speech: { ...speech, synthesizer: new ToneSynthesizer(20, 100) } });
  proxy = await startLoggingProxy(server.url);
});
after(async () => {
  await proxy.close();
  await server.close();
  await pulse.stop();
});

/** Resolves once `capture` holds `ms` more audio than now: time measured by the sound server. */
function captureMore(capture: SourceCapture, ms: number): Promise<void> {
  const until = capture.capturedSamples + (capture.sampleRate * ms) / 1000;
  return waitFor(() => capture.capturedSamples >= until, { what: `${ms} ms more captured audio`, timeoutMs: ms + 5000 }).then(() => undefined);
}

function play(wav: string, sink: string): Promise<void> {
  return new Promise((resolve) => spawn('paplay', [`--device=${sink}`, wav]).on('exit', () => resolve()));
}

test('barge-in with real devices: the speaker goes silent within 100 ms and the truncate matches what was heard', async () => {
  const interruption = speechWav(dir, 'Wait, stop please, I have a question.', 48000, 1, 'interrupt.wav');
  const speaker = new SourceCapture('spk.monitor', RATE);
  await speaker.ready();
  const captureStartedAt = performance.now() - 10;
  const longText = 'Tell me a long story about the sea and the wind and the mountains, slowly, with many details. '.repeat(3);
  let truncate: { audio_end_ms: number } | undefined;
  let driverError: unknown;
  const result = await runKaiwa(['--url', proxy.url, '--text', longText, '--debug'], {
    env: { OPENAI_API_KEY: 'sk-barge-e2e-0000' },
    keepStdinOpen: true,
    timeoutMs: 30_000,
    onSpawn: (child) => {
      void (async () => {
        await proxy.waitFor((log) => log.some((event) => event.type === 'response.output_audio.delta'), { what: 'the assistant\'s first audio' });
        // 1.5 s into the answer (as the speaker played it), the user talks over it.
        await captureMore(speaker, 1500);
        await play(interruption, 'mic');
        // Then a second of speaker after the truncation, to show the reply does not resume.
        await proxy.waitFor((log) => log.some((event) => event.from === 'client' && event.type === 'conversation.item.truncate'), { what: 'the truncate' });
        await captureMore(speaker, 1500);
      })().catch((error: unknown) => { driverError = error; }).finally(() => child.kill('SIGTERM'));
    },
  });
  const recorded = await speaker.stop();
  assert.equal(driverError, undefined);
  assert.equal(result.code, 0, result.stderr);
  const started = proxy.log.find((event) => event.from === 'server' && event.type === 'input_audio_buffer.speech_started');
  assert.ok(started, `the server heard the interruption:\n${result.stderr}`);
  const truncateLine = result.stderr.match(/interrupted (\S+) after (\d+) ms \(truncated\)/);
  assert.ok(truncateLine, `kaiwa truncated:\n${result.stderr}`);
  truncate = { audio_end_ms: Number(truncateLine[2]) };
  const spans = soundingSpans(recorded, RATE);
  assert.ok(spans.length >= 1, 'the assistant was heard');
  const voice = spans[0]!;
  const startedInRecording = started.at - captureStartedAt;
  const silentAfterMs = voice.endMs - startedInRecording;
  console.log(`speaker silent ${silentAfterMs.toFixed(0)} ms after speech_started; heard ${(voice.endMs - voice.startMs).toFixed(0)} ms, truncate says ${truncate.audio_end_ms} ms`);
  assert.ok(silentAfterMs <= 100, `speaker still sounding ${silentAfterMs} ms after speech_started`);
  assert.ok(Math.abs(voice.endMs - voice.startMs - truncate.audio_end_ms) <= 50, 'truncate within ±50 ms of what the speaker played');
  assert.ok(!spans.slice(1).some((span) => span.startMs < startedInRecording + 1000), 'the interrupted reply does not resume');
});
