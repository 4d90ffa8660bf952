/**
 * CPU of the echo canceller of a source tree (this one, or ROOT: e.g. an older commit
 * exported with `git archive`), on bench part (h)'s scene: the far end talking all the
 * time through a 300 ms, -6 dB room at 24 kHz, fed in 20 ms chunks, the first 5 s left out
 * (JIT). Prints % of a core per round, and the least and the median. For before/after on
 * a shared machine, run the two trees alternately.
 *   node --import tsx bench/echo-canceller-cpu.ts [ROOT] [ROUNDS]
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RATE, echoScene, farEndSpeech } from '../test/helpers/echo-path.js';

const root = resolve(process.argv[2] ?? '.');
const rounds = Number(process.argv[3] ?? 7);
const { AcousticEchoCanceller } = await import(pathToFileURL(join(root, 'src/audio/acoustic-echo-canceller.ts')).href) as typeof import('../src/audio/acoustic-echo-canceller.js');
const speech = farEndSpeech();
const far = new Int16Array(speech.length * 3);
for (let i = 0; i < 3; i++) far.set(speech, i * speech.length);
const scene = echoScene({ delayMs: 300, gainDb: -6, far });
const chunk = RATE / 50;
const warmUp = 5 * RATE;
const percent: number[] = [];
for (let round = 0; round < rounds; round++) {
  const canceller = new AcousticEchoCanceller(RATE);
  let started: NodeJS.CpuUsage | undefined;
  for (let at = 0; at < scene.mic.length; at += chunk) {
    if (at >= warmUp && !started) started = process.cpuUsage();
    const end = Math.min(at + chunk, scene.mic.length);
    canceller.process(scene.mic.subarray(at, end), scene.reference.subarray(at, end));
  }
  const used = process.cpuUsage(started);
  percent.push(((used.user + used.system) / 1e6 / ((scene.mic.length - warmUp) / RATE)) * 100);
}
const sorted = [...percent].sort((a, b) => a - b);
console.log(`${root}: ${percent.map((p) => p.toFixed(3)).join(' ')} % of a core; least ${sorted[0]!.toFixed(3)}, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)}`);
