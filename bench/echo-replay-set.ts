/**
 * Replays a set of live captures (bench/echo-capture.ts, or bench/echo-loop.ts with
 * KAIWA_ECHO_DUMP) through kaiwa's echo canceller as it is now, beside the synthetic double
 * talk scenes: one line per change to judge it by.
 * - scenes: the share of the voice kept at four balances of path and voice (dB);
 * - each capture: how often kaiwa serve's VAD starts on the output (each a turn a peer
 *   would answer; a capture of typed questions holds no voice, so every one is a leak);
 * - a capture of a barge-in (question-wall.txt beside it): how long after the question
 *   began the VAD fires on the output.
 *
 *   node --import tsx bench/echo-replay-set.ts DIR...
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { AcousticEchoCanceller } from '../src/audio/acoustic-echo-canceller.js';
import { TurnDetector, turnSettings } from '../src/server/turn-detector.js';
import { loadSpeechDetectorFactory } from '../src/server/speech/webrtc-speech-detector.js';
import { defaultServerVad } from '../src/server/session-state.js';
import { RATE, echoScene, energy, farEndSpeech, nearEndSpeech } from '../test/helpers/echo-path.js';
import { loadEchoDump, replayEchoDump } from './lib/echo-dump-replay.js';

const factory = await loadSpeechDetectorFactory();

/** Seconds into `pcm` at which the VAD says speech started (when it says so, not where the speech began). */
function vadFires(pcm: Int16Array): number[] {
  const detector = new TurnDetector(turnSettings(defaultServerVad()), RATE, 0, factory);
  const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const chunk = (RATE / 50) * 2;
  const fires: number[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    for (const event of detector.push(bytes.subarray(offset, offset + chunk))) if (event.type === 'started') fires.push((offset + chunk) / 2 / RATE);
  }
  return fires;
}

function sceneKept(gainDb: number, voiceDb: number): number {
  const voice = nearEndSpeech(voiceDb);
  const scene = echoScene({ delayMs: 300, gainDb, far: farEndSpeech(), nearVoice: voice, nearAtSeconds: 5 });
  const canceller = new AcousticEchoCanceller(RATE);
  const out = new Int16Array(scene.mic.length);
  for (let at = 0; at < scene.mic.length; at += RATE / 50) out.set(canceller.process(scene.mic.subarray(at, at + RATE / 50), scene.reference.subarray(at, at + RATE / 50)), at);
  const shifted = out.subarray(canceller.latencySamples);
  const at = 5 * RATE;
  let projection = 0;
  for (let i = at; i < at + voice.length; i++) projection += shifted[i]! * scene.near[i]!;
  return (projection / energy(scene.near, at, at + voice.length)) ** 2;
}

interface Replayed { out: Int16Array; latency: number; questionAt: number | undefined }

/** The capture replayed (bench/lib/echo-dump-replay.ts), and where in it the question of a barge-in capture began. */
function replay(dir: string): Replayed {
  const dump = loadEchoDump(dir);
  const canceller = new AcousticEchoCanceller(RATE, { maxDelayMs: 700 });
  const epoch = dump.rows.find((r) => r[0] === 'epoch')!;
  const wallOffset = Number(epoch[2]) - Number(epoch[1]);
  const questionWall = existsSync(`${dir}/question-wall.txt`) ? Number(readFileSync(`${dir}/question-wall.txt`, 'utf8')) : undefined;
  let questionAt: number | undefined;
  const out = replayEchoDump(dump, canceller, {
    onChunk: (at, heardAt, samples) => {
      const heardWall = heardAt + wallOffset;
      if (questionWall !== undefined && questionAt === undefined && questionWall < heardWall + (samples * 1000) / RATE) questionAt = (at + ((questionWall - heardWall) * RATE) / 1000) / RATE;
    },
  });
  return { out, latency: canceller.latencySamples, questionAt };
}

const balances = [[-6, 0], [0, 0], [-6, -6], [0, -6]] as const;
console.log(`double talk, voice kept (path/voice dB): ${balances.map(([path, voice]) => `${path}/${voice} ${(100 * sceneKept(path, voice)).toFixed(1)} %`).join(', ')}`);
let leaks = 0;
for (const dir of process.argv.slice(2)) {
  const { out, latency, questionAt } = replay(dir);
  const fires = vadFires(out).map((seconds) => seconds - latency / RATE);
  if (questionAt === undefined) {
    leaks += fires.length;
    console.log(`${basename(dir)}: the VAD starts ${fires.length} times on the output${fires.length ? ` (${fires.map((s) => `${s.toFixed(1)} s`).join(', ')})` : ''}`);
  } else {
    const after = fires.filter((s) => s > questionAt - 0.5).map((s) => `${((s - questionAt) * 1000).toFixed(0)} ms`);
    console.log(`${basename(dir)} (barge-in at ${questionAt.toFixed(2)} s): the VAD fires ${after.join(', ') || 'never'} after the question began`);
  }
}
console.log(`leaks in captures without voice: ${leaks}`);
