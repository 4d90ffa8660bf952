import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { startPulse, SourceCapture, type PulseServer } from './audio-pulse.js';
import { startLoggingProxy, type LoggingProxy } from './logging-proxy.js';
import { runKaiwa, type KaiwaResult } from './cli-runner.js';
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

/** Runs kaiwa with the microphone and speaker on the rig, typing `lines` one every `everyMs`. */
export function converseOnRig(rig: LoopRig, args: string[], lines: string[], everyMs: number, totalMs: number,
  during?: (child: ChildProcessWithoutNullStreams) => Promise<void>): Promise<KaiwaResult> {
  return runKaiwa(['--url', rig.proxy.url, '--silence-ms', '500', ...args], {
    env: { OPENAI_API_KEY: 'sk-loop-test-0000' },
    keepStdinOpen: true,
    timeoutMs: totalMs + 20_000,
    onSpawn: (child) => {
      lines.forEach((line, index) => setTimeout(() => child.stdin.write(`${line}\n`), 500 + index * everyMs));
      void during?.(child);
      setTimeout(() => child.kill('SIGTERM'), totalMs);
    },
  });
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
