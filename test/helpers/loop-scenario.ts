import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { startPulse, SourceCapture, type PulseServer } from './audio-pulse.js';
import { startLoggingProxy, type LoggingProxy } from './logging-proxy.js';
import { runKaiwa, type KaiwaResult } from './cli-runner.js';
import { waitFor } from './wait-for.js';
import { startRealtimeServer, type RealtimeServer } from '../../src/server/realtime-server.js';
import { EchoEngine } from '../../src/server/engines/echo-engine.js';
import { loadSpeechParts } from '../../src/server/speech-parts.js';

/**
 * An acoustic feedback loop on virtual devices: whatever kaiwa plays on the speaker
 * ("spk") comes back into the microphone ("mic") after a delay, attenuated, the way a
 * laptop's speaker reaches its own microphone. kaiwa talks to a real `kaiwa serve`
 * (WebRTC VAD, pocketsphinx, espeak-ng voice) through a logging proxy.
 */
export interface LoopRig {
  pulse: PulseServer;
  server: RealtimeServer;
  proxy: LoggingProxy;
  close(): Promise<void>;
}

export async function startLoopRig(options: { delayMs?: number; volumePercent?: number } = {}): Promise<LoopRig> {
  const pulse = await startPulse();
  pulse.pactl('load-module', 'module-loopback', 'source=spk.monitor', 'sink=mic', `latency_msec=${options.delayMs ?? 80}`,
    'source_dont_move=true', 'sink_dont_move=true');
  const loopInput = pulse.pactl('list', 'short', 'sink-inputs').trim().split('\n').at(-1)!.split('\t')[0]!;
  pulse.pactl('set-sink-input-volume', loopInput, `${options.volumePercent ?? 70}%`);
  const server = await startRealtimeServer({ port: 0, engine: new EchoEngine(), speech: await loadSpeechParts() });
  const proxy = await startLoggingProxy(server.url);
  return {
    pulse, server, proxy,
    close: async () => {
      await proxy.close();
      await server.close();
      await pulse.stop();
    },
  };
}

export function count(proxy: LoggingProxy, from: 'client' | 'server', type: string): number {
  return proxy.log.filter((event) => event.from === from && event.type === type).length;
}

/**
 * Runs kaiwa with the microphone and speaker on the rig; `drive` plays the user (types,
 * speaks, waits for what it needs) and kaiwa gets SIGTERM when it is done, or at the
 * deadline. An error in `drive` (a failed wait or assertion) is thrown after kaiwa exits.
 */
/** What the peer sent of one type, in order (with when it was logged). */
export function serverEvents(rig: LoopRig, type: string): LoopRig['proxy']['log'] {
  return rig.proxy.log.filter((e) => e.from === 'server' && e.type === type);
}

export async function converseOnRig(rig: LoopRig, args: string[], drive: (child: ChildProcessWithoutNullStreams) => Promise<void>,
  deadlineMs: number): Promise<KaiwaResult> {
  let failure: unknown;
  const result = await runKaiwa(['--url', rig.proxy.url, '--silence-ms', '500', '--debug', ...args], {
    env: { OPENAI_API_KEY: 'sk-loop-test-0000' },
    keepStdinOpen: true,
    timeoutMs: deadlineMs + 20_000,
    onSpawn: (child) => {
      const deadline = setTimeout(() => child.kill('SIGTERM'), deadlineMs);
      child.once('exit', () => clearTimeout(deadline));
      void drive(child).catch((error: unknown) => { failure = error; }).finally(() => child.kill('SIGTERM'));
    },
  });
  // kaiwa's --debug log (why its microphone was or was not sent) says where a failed wait went wrong.
  if (failure instanceof Error) failure.message += `\nkaiwa's log, its end:\n${result.stderr.split('\n').slice(-60).join('\n')}`;
  if (failure) throw failure;
  return result;
}

/** Resolves once `count` response.done events crossed the proxy. */
export function responsesDone(rig: LoopRig, count: number, timeoutMs = 30_000): Promise<void> {
  return rig.proxy.waitFor((log) => log.filter((event) => event.from === 'server' && event.type === 'response.done').length >= count,
    { what: `${count} response.done`, timeoutMs });
}

/** Resolves once the assistant's first audio crossed the proxy. */
export function assistantSpeaking(rig: LoopRig, timeoutMs = 15_000): Promise<void> {
  return rig.proxy.waitFor((log) => log.some((event) => event.type === 'response.output_audio.delta'), { what: 'the assistant\'s first audio', timeoutMs });
}

/**
 * Resolves once an answer has been heard on the speaker and then played out (`quietMs` of
 * silence after it). After response.done, speakerQuiet alone could pass before the answer's
 * first sound: the service (and kaiwa serve) send a reply far faster than it plays, and the
 * speaker may still be quiet from before.
 */
export async function answerPlayedOut(speaker: SourceCapture, quietMs: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(() => rmsDb(speaker.recentSamples(100)) > -50, { what: 'the answer sounding on the speaker', timeoutMs: 15_000, everyMs: 20 });
  await speakerQuiet(speaker, quietMs, timeoutMs);
}

/**
 * Resolves once the last `quietMs` the speaker's monitor captured were silent: the
 * assistant's answer has played out (and its echo with it). Time in captured audio.
 */
export function speakerQuiet(speaker: SourceCapture, quietMs: number, timeoutMs = 30_000): Promise<void> {
  // Every 100 ms of it: over the whole tail, a reply's first syllable after a second of silence averages out below the threshold.
  const window = speaker.sampleRate / 10;
  const quiet = (): boolean => {
    const tail = speaker.recentSamples(quietMs);
    if (tail.length < (speaker.sampleRate * quietMs) / 1000) return false;
    for (let at = 0; at < tail.length; at += window) if (rmsDb(tail.subarray(at, at + window)) >= -50) return false;
    return true;
  };
  return waitFor(quiet, { what: `${quietMs} ms of silence on the speaker`, timeoutMs, everyMs: 50 }).then(() => undefined);
}

/** The loudest audio kaiwa sent after `since` (performance.now()), in dBFS, and in how many appends. */
export function loudestSentSince(rig: LoopRig, since: number): { appends: number; loudestDb: number } {
  const appends = rig.proxy.log.filter((e) => e.from === 'client' && e.type === 'input_audio_buffer.append' && e.at >= since);
  const levels = appends.map((e) => {
    const pcm = Buffer.from((e.event as { audio: string }).audio, 'base64');
    return rmsDb(new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1));
  });
  return { appends: appends.length, loudestDb: Math.max(-120, ...levels) };
}

export function playInto(sink: string, wav: string): Promise<void> {
  return new Promise((resolve) => spawn('paplay', [`--device=${sink}`, wav]).on('exit', () => resolve()));
}

export function rmsDb(samples: Int16Array): number {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return 10 * Math.log10(sum / Math.max(samples.length, 1) / 32768 ** 2 + 1e-12);
}

export function echoCancellerSource(): string | undefined {
  const sources = execFileSync('pactl', ['list', 'short', 'sources'], { encoding: 'utf8' });
  return sources.split('\n').map((line) => line.split('\t')[1]).find((name) => name?.startsWith('kaiwa_ec_') && name.endsWith('_src'));
}

export { SourceCapture };

/** A question whose answer takes several seconds to say. */
export const WEATHER_QUESTION = 'Tell me about the weather in the mountains in autumn, when the wind is cold and the leaves fall.';
/** PulseAudio volumes are cubic: 79 % is -6 dB. */
export const MINUS_6_DB_VOLUME = 79;

/** Asks the question; returns once the first reply has been played out and its echo has had a second to come back. */
export async function untilFirstReplyHeard(rig: LoopRig, child: ChildProcessWithoutNullStreams): Promise<void> {
  child.stdin.write(`${WEATHER_QUESTION}\n`);
  await waitFor(() => serverEvents(rig, 'response.done').length >= 1, { what: 'the first reply', timeoutMs: 30_000 });
  const deltas = serverEvents(rig, 'response.output_audio.delta');
  const audioMs = deltas.reduce((ms, e) => ms + (Buffer.from((e.event as { delta: string }).delta, 'base64').length / 48), 0);
  const playedOut = deltas[0]!.at + audioMs + 1000;
  await waitFor(() => performance.now() > playedOut, { what: 'the reply to be played out', timeoutMs: audioMs + 5000 });
}
