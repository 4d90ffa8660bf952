/**
 * (h) CPU of kaiwa's in-process echo canceller, in its own process: espeak speech played
 * continuously (the worst case: the assistant talking all the time) through a synthetic
 * room (300 ms, -6 dB) at 24 kHz, fed in 20 ms chunks as the microphone delivers them,
 * after a few seconds to warm up the JIT; then the same with nothing played (the user's
 * turns and silence). CPU per second of audio, as % of one core; best and median of rounds.
 */
import { AcousticEchoCanceller } from '../../src/audio/acoustic-echo-canceller.js';
import { RATE, db, echoScene, energy, farEndSpeech } from '../../test/helpers/echo-path.js';
import { benchArgs, report } from '../lib/child.js';

export interface EchoCancellerBenchResult {
  farEndPercent: number[];
  idlePercent: number[];
  /** The same far end with `halfRate` (12 kHz inside the 24 kHz stream). */
  halfRatePercent: number[];
  halfRateAttenuationDb: number;
  audioSeconds: number;
  attenuationDb: number;
  delayMs: number | undefined;
}

const { rounds = 3 } = benchArgs<{ rounds?: number }>();
const speech = farEndSpeech();
const far = new Int16Array(speech.length * 3);
for (let i = 0; i < 3; i++) far.set(speech, i * speech.length);
const scene = echoScene({ delayMs: 300, gainDb: -6, far });
const quiet = echoScene({ delayMs: 300, gainDb: -6, far: new Int16Array(far.length) });
const chunk = RATE / 50;
const warmUp = 5 * RATE;

function cpuPercent(mic: Int16Array, reference: Int16Array, keep?: Int16Array, halfRate = false): { percent: number; canceller: AcousticEchoCanceller } {
  const canceller = new AcousticEchoCanceller(RATE, { halfRate });
  let started: NodeJS.CpuUsage | undefined;
  for (let at = 0; at < mic.length; at += chunk) {
    if (at >= warmUp && !started) started = process.cpuUsage();
    const end = Math.min(at + chunk, mic.length);
    const out = canceller.process(mic.subarray(at, end), reference.subarray(at, end));
    keep?.set(out, at);
  }
  const used = process.cpuUsage(started);
  const seconds = (mic.length - warmUp) / RATE;
  return { percent: ((used.user + used.system) / 1e6 / seconds) * 100, canceller };
}

const farEndPercent: number[] = [];
const idlePercent: number[] = [];
const halfRatePercent: number[] = [];
const out = new Int16Array(scene.mic.length);
const halfOut = new Int16Array(scene.mic.length);
let delayMs: number | undefined;
for (let round = 0; round < rounds; round++) {
  const run = cpuPercent(scene.mic, scene.reference, out);
  farEndPercent.push(run.percent);
  delayMs = run.canceller.status.delayMs;
  idlePercent.push(cpuPercent(quiet.mic, quiet.reference).percent);
  halfRatePercent.push(cpuPercent(scene.mic, scene.reference, halfOut, true).percent);
}
const from = scene.echoStart + 3 * RATE;
const removed = (output: Int16Array, halfRate: boolean): number => {
  const latency = new AcousticEchoCanceller(RATE, { halfRate }).latencySamples;
  return db(energy(scene.mic, from, far.length) / Math.max(energy(output.subarray(latency), from, far.length), 1));
};
report({
  farEndPercent, idlePercent, halfRatePercent, audioSeconds: (scene.mic.length - warmUp) / RATE,
  attenuationDb: removed(out, false), halfRateAttenuationDb: removed(halfOut, true), delayMs,
} satisfies EchoCancellerBenchResult);
