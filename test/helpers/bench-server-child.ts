/**
 * A `kaiwa serve` in its own process for the load test and the benchmarks, so that its
 * memory and CPU are its own and the client's measurements don't include it. Configured
 * by BENCH_SERVER_CONFIG (JSON, see bench-server.ts); talks to the parent over IPC.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startRealtimeServer } from '../../src/server/realtime-server.js';
import { EchoEngine } from '../../src/server/engines/echo-engine.js';
import { loadSpeechParts, NO_SPEECH, type SpeechParts } from '../../src/server/speech-parts.js';
import { EnergyDetector, FixedTranscriber, ToneSynthesizer } from './server-speech.js';
import { PacedToneSynthesizer, TalkEngine } from './bench-speech.js';
import type { BenchServerConfig, BenchServerMessage, BenchSample } from './bench-server.js';

const config = JSON.parse(process.env.BENCH_SERVER_CONFIG ?? '{}') as BenchServerConfig;

async function speechParts(): Promise<SpeechParts> {
  const needsInstalled = config.detector === 'webrtc' || config.transcriber === 'pocketsphinx' || config.voice === 'espeak';
  const installed = needsInstalled ? await loadSpeechParts((message) => process.stderr.write(`${message}\n`)) : NO_SPEECH;
  if (config.transcriber !== 'pocketsphinx') installed.close?.();
  const parts: SpeechParts = { ...NO_SPEECH };
  parts.createDetector = config.detector === 'webrtc' ? installed.createDetector
    : config.detector === 'energy' ? (options) => new EnergyDetector(options) : undefined;
  if (config.detector === 'webrtc' && !parts.createDetector) throw new Error('the WebRTC speech detector did not load');
  if (config.transcriber === 'pocketsphinx') {
    if (!installed.transcriber) throw new Error(`pocketsphinx is not available: ${installed.transcriberMissing ?? ''}`);
    parts.transcriber = installed.transcriber;
    parts.recognizer = installed.recognizer;
    if (installed.close) parts.close = installed.close;
  } else {
    parts.transcriber = new FixedTranscriber(config.fixedText ?? 'hello from the test');
  }
  if (config.voice === 'espeak') {
    if (!installed.synthesizer) throw new Error('espeak-ng is not available');
    parts.synthesizer = installed.synthesizer;
  } else if (config.voice === 'tone') {
    parts.synthesizer = new ToneSynthesizer(20, 100);
  } else if (config.voice === 'paced-tone') {
    parts.synthesizer = new PacedToneSynthesizer();
  }
  return parts;
}

const speech = await speechParts();
const server = await startRealtimeServer({
  port: 0,
  engine: config.engine === 'talk' ? new TalkEngine() : new EchoEngine(),
  speech,
  maxSessions: config.maxSessions ?? 200,
  ...(config.tls ? { tls: 'self-signed' as const } : {}),
  ...(config.limits ? { limits: config.limits } : {}),
});
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const gc = (globalThis as { gc?: () => void }).gc;

function sample(collect: boolean): BenchSample {
  if (collect) gc?.();
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    at: performance.now(), rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, arrayBuffers: memory.arrayBuffers,
    cpuMs: (cpu.user + cpu.system) / 1000, loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMaxMs: loopDelay.max / 1e6, collected: collect && gc !== undefined,
  };
}

process.on('message', (message: BenchServerMessage) => {
  if (message.type === 'sample') {
    process.send!({ type: 'sample', id: message.id, sample: sample(message.gc) });
    if (message.resetLoopDelay) loopDelay.reset();
  }
  if (message.type === 'stop') {
    void server.close().then(() => {
      speech.close?.();
      process.exit(0);
    });
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'listening', url: server.url, certificate: server.certificate });
