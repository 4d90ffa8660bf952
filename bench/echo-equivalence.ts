/**
 * Did a change to the echo canceller's arithmetic change what it does? Runs synthetic
 * scenes through the canceller of a source tree (this one, or ROOT: e.g. an older commit
 * exported with `git archive`) and writes each output and its status per 20 ms chunk;
 * `compare` tells sample by sample how two such runs differ.
 *   node --import tsx bench/echo-equivalence.ts write DIR [ROOT]
 *   node --import tsx bench/echo-equivalence.ts compare DIR_A DIR_B
 * Scenes: 4 delays × 3 gains (as the tests), double talk, a far end with pauses and a user
 * alone, clock drift (80 ppm), reported timeline steps and breaks, 16 and 48 kHz, halfRate,
 * chunks of 333 samples; a microphone that does not hear the speaker (headphones: at
 * -65 dBFS of noise, or digitally silent), and one that starts to mid-reply (unplugged;
 * also from SoX's dither of silence); a lead before anything plays (dither, a user who
 * speaks first) before a room or headphones; resting scenes in SoX's chunks (2048 samples, and 2490).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AcousticEchoCanceller as Canceller } from '../src/audio/acoustic-echo-canceller.js';
import { RATE, echoScene, farEndSpeech, nearEndSpeech, silentDither } from '../test/helpers/echo-path.js';

interface Scene { name: string; mic: Int16Array; reference: Int16Array; rate?: number; halfRate?: boolean; chunk?: number; events?: Array<{ at: number; call: (c: Canceller) => void }> }

function scenes(): Scene[] {
  const list: Scene[] = [];
  const far = farEndSpeech();
  for (const delayMs of [60, 150, 300, 500]) {
    for (const gainDb of [-20, -6, 0]) list.push({ name: `room-${delayMs}ms-${-gainDb}dB`, ...echoScene({ delayMs, gainDb, far }) });
  }
  const near = nearEndSpeech();
  const talk = echoScene({ delayMs: 300, gainDb: -6, far, nearVoice: near, nearAtSeconds: 2.5 });
  list.push({ name: 'double-talk', ...talk });
  // The far end, 2 s of silence, the far end, the user alone, the far end.
  const paused = new Int16Array(far.length * 3 + 6 * RATE);
  paused.set(far, 0); paused.set(far, far.length + 2 * RATE); paused.set(far, 2 * far.length + 6 * RATE);
  list.push({ name: 'pauses', ...echoScene({ delayMs: 200, gainDb: -6, far: paused, nearVoice: near, nearAtSeconds: (2 * far.length + 3 * RATE) / RATE }) });
  list.push({ name: 'drift-80ppm', ...drifting(far) });
  list.push({ name: 'timeline-steps', ...echoScene({ delayMs: 300, gainDb: -6, far: paused }), events: [
    { at: 4 * RATE, call: (c) => c.timelineSuspect(2000) },
    { at: 9 * RATE, call: (c) => c.timelineBroken() },
    { at: 14 * RATE, call: (c) => c.timelineSuspect(0) },
  ] });
  // Other rates and modes, on the same samples.
  list.push({ ...list[7]!, name: 'rate-16k', rate: 16000, chunk: 320 });
  list.push({ ...list[4]!, name: 'rate-48k', rate: 48000, chunk: 960 });
  list.push({ ...talk, name: 'half-rate', halfRate: true });
  list.push({ ...list[7]!, name: 'chunks-333', chunk: 333 });
  // A microphone that does not hear the speaker (headphones), then does from 8.2 s on (unplugged).
  const twice = new Int16Array(far.length * 2);
  twice.set(far); twice.set(far, far.length);
  const heard = echoScene({ delayMs: 300, gainDb: -6, far: twice, noiseDbfs: -65 });
  const unheard = echoScene({ delayMs: 300, gainDb: -200, far: twice, noiseDbfs: -65 });
  list.push({ name: 'headphones', ...unheard });
  const unplugged = unheard.mic.slice();
  unplugged.set(heard.mic.subarray(Math.round(8.2 * RATE)), Math.round(8.2 * RATE));
  list.push({ name: 'headphones-unplugged', mic: unplugged, reference: heard.reference });
  // The same with a digitally silent microphone (an idle null sink's monitor).
  const silent = new Int16Array(heard.mic.length);
  list.push({ name: 'silent', mic: silent, reference: heard.reference });
  const silentUnplugged = silent.slice();
  silentUnplugged.set(heard.mic.subarray(Math.round(8.2 * RATE)), Math.round(8.2 * RATE));
  list.push({ name: 'silent-unplugged', mic: silentUnplugged, reference: heard.reference });
  // ...and silent but for the ±1 dither SoX adds to an idle source.
  const dither = silentDither(heard.mic.length);
  dither.set(heard.mic.subarray(Math.round(8.2 * RATE)), Math.round(8.2 * RATE));
  list.push({ name: 'dither-unplugged', mic: dither, reference: heard.reference });
  // Before anything plays (a session's start): SoX's dither, or a room where the user speaks first.
  const room = echoScene({ delayMs: 300, gainDb: -6, far, noiseDbfs: -65 });
  list.push({ name: 'lead-dither-room', ...afterLead(room, silentDither(Math.round(1.5 * RATE))) });
  const userFirst = echoScene({ delayMs: 0, gainDb: -200, far: new Int16Array(4 * RATE), nearVoice: near, nearAtSeconds: 0.3, noiseDbfs: -65 });
  list.push({ name: 'lead-user-room', ...afterLead(room, userFirst.mic) });
  list.push({ name: 'lead-dither-headphones', ...afterLead(unheard, silentDither(Math.round(1.5 * RATE))) });
  // Resting through chunks as SoX delivers them: whole blocks (4096 bytes), and reads of any size.
  const byName = (name: string): Scene => list.find((scene) => scene.name === name)!;
  list.push({ ...byName('headphones'), name: 'headphones-chunks-2048', chunk: 2048 });
  list.push({ ...byName('dither-unplugged'), name: 'dither-unplugged-chunks-2048', chunk: 2048 });
  list.push({ ...byName('lead-dither-headphones'), name: 'lead-dither-headphones-chunks-2490', chunk: 2490 });
  return list;
}

/** `scene` after a lead in which nothing plays and the microphone hears `lead`. */
function afterLead(scene: { mic: Int16Array; reference: Int16Array }, lead: Int16Array): { mic: Int16Array; reference: Int16Array } {
  const mic = new Int16Array(lead.length + scene.mic.length);
  mic.set(lead);
  mic.set(scene.mic, lead.length);
  const reference = new Int16Array(mic.length);
  reference.set(scene.reference, lead.length);
  return { mic, reference };
}

/** The far end twice through a path of 250 ms that grows by 80 ppm (linear interpolation), -6 dB. */
function drifting(far: Int16Array): { mic: Int16Array; reference: Int16Array } {
  const reference = new Int16Array(far.length * 2 + RATE);
  reference.set(far); reference.set(far, far.length);
  const mic = new Int16Array(reference.length);
  const gain = 10 ** (-6 / 20);
  const at = (i: number): number => (i >= 0 && i < 2 * far.length ? reference[i]! : 0);
  for (let t = 0; t < mic.length; t++) {
    const position = t - (0.25 * RATE + t * 80e-6);
    const i = Math.floor(position); const f = position - i;
    mic[t] = Math.round(gain * (at(i) * (1 - f) + at(i + 1) * f));
  }
  return { mic, reference };
}

async function write(dir: string, root: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { AcousticEchoCanceller } = await import(pathToFileURL(join(resolve(root), 'src/audio/acoustic-echo-canceller.ts')).href) as typeof import('../src/audio/acoustic-echo-canceller.js');
  for (const scene of scenes()) {
    const rate = scene.rate ?? RATE;
    const canceller = new AcousticEchoCanceller(rate, { halfRate: scene.halfRate });
    const chunk = scene.chunk ?? rate / 50;
    const output = new Int16Array(scene.mic.length);
    const trace: unknown[] = [];
    const events = [...(scene.events ?? [])];
    for (let at = 0; at < scene.mic.length; at += chunk) {
      while (events.length && events[0]!.at <= at) events.shift()!.call(canceller);
      const end = Math.min(at + chunk, scene.mic.length);
      output.set(canceller.process(scene.mic.subarray(at, end), scene.reference.subarray(at, end)), at);
      const s = canceller.status;
      trace.push([s.delayMs, s.farEndActive, s.doubleTalk, s.echoAudible, s.holding, s.converged, s.erleDb, s.attenuationDb]);
    }
    writeFileSync(join(dir, `${scene.name}.raw`), output);
    writeFileSync(join(dir, `${scene.name}.json`), JSON.stringify(trace));
  }
}

function compare(a: string, b: string): void {
  const decisions = ['delay', 'far end', 'double talk', 'echo audible', 'holding', 'converged'];
  for (const file of readdirSync(a).filter((f) => f.endsWith('.raw')).sort()) {
    const load = (dir: string): Int16Array => { const bytes = readFileSync(join(dir, file)); return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1); };
    const x = load(a); const y = load(b);
    let max = 0; let differing = 0; let overOne = 0;
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs(x[i]! - y[i]!);
      if (d > 0) differing += 1;
      if (d > 1) overOne += 1;
      if (d > max) max = d;
    }
    const trace = (dir: string): unknown[][] => JSON.parse(readFileSync(join(dir, file.replace('.raw', '.json')), 'utf8')) as unknown[][];
    const ta = trace(a); const tb = trace(b);
    const changed = decisions.map((name, f) => [name, ta.filter((row, i) => row[f] !== tb[i]![f]).length] as const).filter(([, n]) => n > 0);
    let erle = 0;
    for (let i = 0; i < ta.length; i++) erle = Math.max(erle, Math.abs((ta[i]![6] as number) - (tb[i]![6] as number)));
    console.log(`${file.replace('.raw', '').padEnd(22)} ${x.length} samples: ${differing} differ, ${overOne} by more than 1 LSB, at most ${max}; `
      + `decisions ${changed.length ? changed.map(([name, n]) => `${name} ${n} chunks`).join(', ') : 'the same'}; ERLE at most ${erle.toExponential(1)} dB apart`);
  }
}

const [command, first, second] = process.argv.slice(2);
if (command === 'write' && first) await write(first, second ?? '.');
else if (command === 'compare' && first && second) compare(first, second);
else {
  console.error('usage: echo-equivalence.ts write DIR [ROOT] | compare DIR_A DIR_B');
  process.exitCode = 2;
}
