/** Test signals and measurements shared by the audio tests. */

export function sine(options: { frequency: number; sampleRate: number; ms: number; amplitude?: number }): Int16Array {
  const { frequency, sampleRate, ms, amplitude = 16384 } = options;
  const samples = new Int16Array(Math.round((ms * sampleRate) / 1000));
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate));
  }
  return samples;
}

/**
 * Amplitude of one frequency component (Goertzel-style single-bin DFT with a Hann
 * window so leakage from other tones stays far below the levels the tests compare).
 * Returns the peak amplitude a pure sine of that frequency would have.
 */
export function toneAmplitude(samples: ArrayLike<number>, frequency: number, sampleRate: number): number {
  let real = 0;
  let imaginary = 0;
  let windowSum = 0;
  const n = samples.length;
  for (let i = 0; i < n; i++) {
    const window = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    const phase = (2 * Math.PI * frequency * i) / sampleRate;
    real += samples[i]! * window * Math.cos(phase);
    imaginary += samples[i]! * window * Math.sin(phase);
    windowSum += window;
  }
  return (2 * Math.hypot(real, imaginary)) / windowSum;
}

/** The frequency (searched on a grid) where toneAmplitude peaks. */
export function dominantFrequency(samples: ArrayLike<number>, sampleRate: number, from = 50, to = 4000, step = 10): number {
  let best = from;
  let bestAmplitude = -1;
  for (let frequency = from; frequency <= to; frequency += step) {
    const amplitude = toneAmplitude(samples, frequency, sampleRate);
    if (amplitude > bestAmplitude) {
      bestAmplitude = amplitude;
      best = frequency;
    }
  }
  return best;
}

export function amplitudeDb(amplitude: number, reference: number): number {
  return 20 * Math.log10(amplitude / reference);
}

export function rms(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

/** Deterministic pseudo-random numbers so a failing test fails the same way again. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
