/**
 * CPU of the echo canceller of a source tree (this one, or ROOT) when the microphone hears
 * no echo at all (headphones; the burst bench's idle null sink): the far end talking all
 * the time at 24 kHz, the microphone digitally silent (zeros, or SoX's ±1 dither of them)
 * or holding only its noise floor (-70 and -60 dBFS), fed in 20 ms chunks as kaiwa does, the first 5 s left out (JIT).
 * 700 ms searched, as the in-process guard asks. Prints % of a core per scene and round,
 * and the least and the median per scene. For before/after on a shared machine, run the
 * two trees alternately.
 *   node --import tsx bench/echo-canceller-idle-cpu.ts [ROOT] [ROUNDS]
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RATE, farEndSpeech, silentDither } from '../test/helpers/echo-path.js';
import { whiteNoise } from '../test/helpers/speech-audio.js';

const root = resolve(process.argv[2] ?? '.');
const rounds = Number(process.argv[3] ?? 5);
const { AcousticEchoCanceller } = await import(pathToFileURL(join(root, 'src/audio/acoustic-echo-canceller.ts')).href) as typeof import('../src/audio/acoustic-echo-canceller.js');
const speech = farEndSpeech();
const far = new Int16Array(speech.length * 3);
for (let i = 0; i < 3; i++) far.set(speech, i * speech.length);
const microphones: Record<string, Int16Array> = {
  zero: new Int16Array(far.length),
  // An idle null sink recorded through SoX: a quarter of the samples ±1 (its dither).
  dither: silentDither(far.length),
  'noise-70dB': whiteNoise(far.length, -70, 5),
  'noise-60dB': whiteNoise(far.length, -60, 6),
};
const chunk = RATE / 50;
const warmUp = 5 * RATE;
const results = new Map<string, number[]>();
for (let round = 0; round < rounds; round++) {
  for (const [name, mic] of Object.entries(microphones)) {
    const canceller = new AcousticEchoCanceller(RATE, { maxDelayMs: 700 });
    let started: NodeJS.CpuUsage | undefined;
    for (let at = 0; at < mic.length; at += chunk) {
      if (at >= warmUp && !started) started = process.cpuUsage();
      const end = Math.min(at + chunk, mic.length);
      canceller.process(mic.subarray(at, end), far.subarray(at, end));
    }
    const used = process.cpuUsage(started);
    if (canceller.status.delayMs !== undefined) console.log(`${name}: a delay was found in a microphone with no echo (${canceller.status.delayMs.toFixed(1)} ms)`);
    const list = results.get(name) ?? [];
    list.push(((used.user + used.system) / 1e6 / ((mic.length - warmUp) / RATE)) * 100);
    results.set(name, list);
  }
}
for (const [name, percent] of results) {
  const sorted = [...percent].sort((a, b) => a - b);
  console.log(`${root} ${name}: ${percent.map((p) => p.toFixed(3)).join(' ')} % of a core; least ${sorted[0]!.toFixed(3)}, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)}`);
}
