/**
 * Synthetic acoustic echoes for the echo canceller's tests: what a microphone hears when
 * a speaker plays `far` in a room: the far end delayed, filtered by a short room impulse
 * response, scaled, plus the microphone's noise and, optionally, a voice in the room.
 */
import { seededRandom } from './audio-signals.js';
import { espeakSpeechAt, mixInto, whiteNoise } from './speech-audio.js';

export const RATE = 24000;

export const FAR_END_TEXT = 'Tell me about the weather in the mountains in autumn, when the wind is cold and the leaves fall. '
  + 'The sky turns grey and the first snow comes early to the high passes, so hikers should carry warm clothes and leave before noon.';
export const NEAR_END_TEXT = 'Excuse me, can I ask you something else about the trains?';

/**
 * A room: the direct sound, then a few dozen reflections over 40 ms decaying by ~25 dB,
 * scaled to unit energy (so the echo's level is set by the gain alone). Sparse, so that
 * the convolution stays cheap in a test.
 */
export function roomImpulseResponse(seed = 3, sampleRate = RATE): Array<{ at: number; gain: number }> {
  const random = seededRandom(seed);
  const taps = [{ at: 0, gain: 1 }];
  for (let i = 0; i < 40; i++) {
    const at = 1 + Math.floor(random() * 0.04 * sampleRate);
    taps.push({ at, gain: 0.6 * (random() * 2 - 1) * Math.exp(-at / (0.012 * sampleRate)) });
  }
  const norm = Math.sqrt(taps.reduce((sum, tap) => sum + tap.gain ** 2, 0));
  return taps.map((tap) => ({ at: tap.at, gain: tap.gain / norm }));
}

export interface EchoScene {
  /** What was played. */
  reference: Int16Array;
  /** What the microphone heard. */
  mic: Int16Array;
  /** The voice in the room alone (zeros when there is none). */
  near: Int16Array;
  /** Where the echo starts (the far end starts at 0). */
  echoStart: number;
}

export interface EchoSceneOptions {
  delayMs: number;
  gainDb: number;
  far: Int16Array;
  /** A voice in the room, added at `nearAtSeconds`. */
  nearVoice?: Int16Array;
  nearAtSeconds?: number;
  noiseDbfs?: number;
  /** Silence after the far end, so its echo can finish. */
  tailSeconds?: number;
}

export function echoScene(options: EchoSceneOptions): EchoScene {
  const lag = Math.round((options.delayMs * RATE) / 1000);
  const length = options.far.length + lag + Math.round((options.tailSeconds ?? 0.3) * RATE);
  const reference = new Int16Array(length);
  reference.set(options.far);
  const gain = 10 ** (options.gainDb / 20);
  const echo = new Float64Array(length);
  for (const tap of roomImpulseResponse()) {
    const shift = lag + tap.at;
    for (let t = shift; t < length; t++) echo[t] = echo[t]! + tap.gain * gain * reference[t - shift]!;
  }
  const mic = Int16Array.from(echo, (v) => Math.max(-32768, Math.min(32767, Math.round(v))));
  mixInto(mic, whiteNoise(length, options.noiseDbfs ?? -75, 7), 0);
  const near = new Int16Array(length);
  if (options.nearVoice) {
    const at = Math.round((options.nearAtSeconds ?? 0) * RATE);
    mixInto(near, options.nearVoice, at);
    mixInto(mic, options.nearVoice, at);
  }
  return { reference, mic, near, echoStart: lag };
}

/** Far-end speech (espeak-ng), made once per process. */
let farEnd: Int16Array | undefined;
export function farEndSpeech(): Int16Array {
  farEnd ??= espeakSpeechAt(FAR_END_TEXT, RATE);
  return farEnd;
}

export function nearEndSpeech(levelDb = -6): Int16Array {
  const voice = espeakSpeechAt(NEAR_END_TEXT, RATE, { voice: 'en-gb' });
  const scale = 10 ** (levelDb / 20);
  return Int16Array.from(voice, (v) => Math.round(v * scale));
}

export function energy(samples: ArrayLike<number>, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = Math.max(from, 0); i < Math.min(to, samples.length); i++) sum += samples[i]! * samples[i]!;
  return sum;
}

export function db(ratio: number): number {
  return 10 * Math.log10(ratio);
}

/** Digital silence as SoX records an idle source: its dither, a quarter of the samples ±1. */
export function silentDither(length: number, seed = 9): Int16Array {
  const random = seededRandom(seed);
  return Int16Array.from({ length }, () => {
    const r = random();
    return r < 0.125 ? -1 : r >= 0.875 ? 1 : 0;
  });
}
