/**
 * Real speech for the speech-part tests, made at test time with espeak-ng (22050 Hz),
 * plus the noise and mixing needed to put it into a realistic signal.
 */
import { execFileSync } from 'node:child_process';
import { parseWav } from '../../src/audio/wav.js';
import { resample } from '../../src/audio/resample.js';
import { seededRandom } from './audio-signals.js';
import { espeakEnvironment } from '../../src/server/speech/espeak-install.js';

export interface EspeakOptions {
  voice?: string;
  wordsPerMinute?: number;
}

/** Clean espeak-ng speech at its native rate (22050 Hz for the default voices). */
export function espeakSpeech(text: string, options: EspeakOptions = {}): { samples: Int16Array; sampleRate: number } {
  const stream = execFileSync('espeak-ng', ['--stdout', '-v', options.voice ?? 'en-us', '-s', String(options.wordsPerMinute ?? 175), text], { maxBuffer: 64 * 1024 * 1024, env: espeakEnvironment() });
  const wav = parseWav(stream);
  return { samples: wav.samples, sampleRate: wav.sampleRate };
}

export function espeakSpeechAt(text: string, sampleRate: number, options: EspeakOptions = {}): Int16Array {
  const speech = espeakSpeech(text, options);
  return resample(speech.samples, speech.sampleRate, sampleRate);
}

/** White noise with the given RMS level (uniform, so peak = RMS·√3). */
export function whiteNoise(samples: number, levelDbfs: number, seed = 1): Int16Array {
  const random = seededRandom(seed);
  const peak = 32768 * 10 ** (levelDbfs / 20) * Math.sqrt(3);
  const noise = new Int16Array(samples);
  for (let i = 0; i < samples; i++) noise[i] = Math.round((random() * 2 - 1) * peak);
  return noise;
}

/** Adds `signal` into `into` starting at `offset` (clipping at full scale). */
export function mixInto(into: Int16Array, signal: Int16Array, offset: number): void {
  for (let i = 0; i < signal.length && offset + i < into.length; i++) {
    into[offset + i] = Math.max(-32768, Math.min(32767, into[offset + i]! + signal[i]!));
  }
}

/** First and last sample whose magnitude exceeds the floor: where the speech really is. */
export function speechExtent(clean: Int16Array, floor = 300): { first: number; last: number } | undefined {
  let first = -1;
  let last = -1;
  for (let i = 0; i < clean.length; i++) {
    if (Math.abs(clean[i]!) <= floor) continue;
    if (first < 0) first = i;
    last = i;
  }
  return first < 0 ? undefined : { first, last };
}

export function samplesForMs(ms: number, sampleRate: number): number {
  return Math.round((ms * sampleRate) / 1000);
}

export function msForSamples(samples: number, sampleRate: number): number {
  return (samples / sampleRate) * 1000;
}
