import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startPulse, SourceCapture, type PulseServer } from '../helpers/audio-pulse.js';
import { startLoggingProxy, type LoggingProxy } from '../helpers/logging-proxy.js';
import { runKaiwa, untilOutput } from '../helpers/cli-runner.js';
import { ToneSynthesizer } from '../helpers/server-speech.js';
import { soundingSpans } from '../helpers/speaker-timeline.js';
import { startRealtimeServer, type RealtimeServer } from '../../src/server/realtime-server.js';
import { EchoEngine } from '../../src/server/engines/echo-engine.js';
import { loadSpeechParts } from '../../src/server/speech-parts.js';
import { waitFor } from '../helpers/wait-for.js';

let pulse: PulseServer;
let server: RealtimeServer;
let proxy: LoggingProxy;
before(async () => {
  pulse = await startPulse();
  server = await startRealtimeServer({ port: 0, engine: new EchoEngine(), speech: { ...(await loadSpeechParts()), synthesizer: new ToneSynthesizer(40, 100) } });
  proxy = await startLoggingProxy(server.url);
});
after(async () => {
  await proxy.close();
  await server.close();
  await pulse.stop();
});

/** SoX children of a process: the player reads stdin and ends with --default-device. */
function soxChildren(parent: number): { recorder?: number; player?: number } {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  const found: { recorder?: number; player?: number } = {};
  for (const line of out.split('\n')) {
    const [pid, ppid, ...args] = line.trim().split(/\s+/);
    if (Number(ppid) !== parent || !args[0]?.endsWith('sox')) continue;
    if (args.at(-1) === '--default-device') found.player = Number(pid);
    else found.recorder = Number(pid);
  }
  return found;
}

/** Resolves once `capture` holds `ms` more audio than now: time measured by the sound server. */
function captureMore(capture: SourceCapture, ms: number): Promise<void> {
  const until = capture.capturedSamples + (capture.sampleRate * ms) / 1000;
  return waitFor(() => capture.capturedSamples >= until, { what: `${ms} ms more captured audio`, timeoutMs: ms + 5000 }).then(() => undefined);
}

test('SoX recorder and player killed mid-session: both come back within 2 s and the session goes on', async () => {
  const speaker = new SourceCapture('spk.monitor', 24000);
  await speaker.ready();
  const captureStart = performance.now() - 10;
  let playerKilledAt = 0;
  let recorderKilledAt = 0;
  const longText = 'Please tell me a very long story about the sea, the wind and the mountains. '.repeat(3);
  let driverError: unknown;
  const result = await runKaiwa(['--url', proxy.url, '--text', longText, '--headphones'], {
    env: { OPENAI_API_KEY: 'sk-restart-test-0000' },
    keepStdinOpen: true,
    timeoutMs: 40_000,
    onSpawn: (child, output) => {
      void (async () => {
        await proxy.waitFor((log) => log.some((event) => event.type === 'response.output_audio.delta'), { what: 'the assistant\'s first audio' });
        // 1.5 s into the answer, as the speaker played it.
        await captureMore(speaker, 1500);
        const before = soxChildren(child.pid!);
        assert.ok(before.player && before.recorder, `both SoX processes run: ${JSON.stringify(before)}`);
        playerKilledAt = performance.now();
        process.kill(before.player!, 'SIGKILL');
        recorderKilledAt = performance.now();
        process.kill(before.recorder!, 'SIGKILL');
        // Both came back and the microphone flows again; then 2.5 s of speaker after the kill to judge it by.
        for (const device of ['output', 'input']) {
          await untilOutput(child, output, 'stderr', (text) => new RegExp(`audio ${device} stopped.*restarted it`).test(text), { what: `the audio ${device} restart` });
        }
        await proxy.waitFor((log) => log.some((event) => event.from === 'client' && event.type === 'input_audio_buffer.append' && event.at > recorderKilledAt + 100),
          { what: 'microphone audio after the restart' });
        await captureMore(speaker, 2500);
      })().catch((error: unknown) => { driverError = error; }).finally(() => child.kill('SIGTERM'));
    },
  });
  const recorded = await speaker.stop();
  assert.equal(driverError, undefined);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /audio output stopped.*restarted it, the conversation goes on/);
  assert.match(result.stderr, /audio input stopped.*restarted it, the conversation goes on/);
  const killedInRecording = playerKilledAt - captureStart;
  const spans = soundingSpans(recorded, 24000);
  const covering = spans.find((span) => span.startMs <= killedInRecording && span.endMs > killedInRecording + 100);
  const next = spans.find((span) => span.startMs > killedInRecording);
  const silentMs = covering ? 0 : next ? next.startMs - killedInRecording : Infinity;
  console.log(`speaker silent for ${silentMs.toFixed(0)} ms after its SoX was killed; spans ${JSON.stringify(spans)}`);
  assert.ok(silentMs < 2000, `the speaker plays again within 2 s (${silentMs} ms)`);
  assert.ok(spans.some((span) => span.endMs > killedInRecording + 1000), 'and keeps playing');
  const appendsAfter = proxy.log.filter((event) => event.from === 'client' && event.type === 'input_audio_buffer.append' && event.at > recorderKilledAt + 100);
  assert.ok(appendsAfter.length > 0, 'microphone audio flows again');
  console.log(`microphone resumed ${(appendsAfter[0]!.at - recorderKilledAt).toFixed(0)} ms after its SoX was killed`);
  assert.ok(appendsAfter[0]!.at - recorderKilledAt < 2000);
});
