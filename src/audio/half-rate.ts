/** Taps of the half-band low-pass: 4·11 + 3, so the centre falls on a tap and every other tap is 0. */
const LENGTH = 47;
const CENTRE = (LENGTH - 1) / 2;

/**
 * A Blackman-windowed sinc cut at a quarter of the rate: flat (within 0.1 dB) to ~0.19 of
 * the rate, -6 dB at 0.25, -74 dB from ~0.31. Only the taps at an odd distance from the
 * centre are not zero: 24 of them, plus the centre (0.5).
 */
function halfBandTaps(): { offsets: Int32Array; weights: Float64Array } {
  const offsets: number[] = [];
  const weights: number[] = [];
  let sum = 0;
  const all = new Float64Array(LENGTH);
  for (let t = 0; t < LENGTH; t++) {
    const x = t - CENTRE;
    const sinc = x === 0 ? 1 : Math.sin((Math.PI * x) / 2) / ((Math.PI * x) / 2);
    const phase = (2 * Math.PI * t) / (LENGTH - 1);
    all[t] = 0.5 * sinc * (0.42 - 0.5 * Math.cos(phase) + 0.08 * Math.cos(2 * phase));
    sum += all[t]!;
  }
  // Each polyphase branch passes DC at exactly half, so doubling the rate leaves no image at its Nyquist.
  const side = sum - all[CENTRE]!;
  for (let t = 0; t < LENGTH; t++) {
    if (t !== CENTRE && (t - CENTRE) % 2 === 0) continue;
    offsets.push(t);
    weights.push(t === CENTRE ? 0.5 : (0.5 * all[t]!) / side);
  }
  return { offsets: Int32Array.from(offsets), weights: Float64Array.from(weights) };
}

/** Taps of the decimator's low-pass: stopband from a quarter of the input rate, so nothing folds back. */
const DECIMATOR_LENGTH = 75;
/** Kaiser window for ~60 dB of stopband. */
const KAISER_BETA = 5.65;
/** Cut-off (-6 dB) as a share of the input rate: 5.4 kHz at 24 kHz, flat to ~4.8, -60 dB from 6. */
const DECIMATOR_CUTOFF = 0.225;

/**
 * Halves a stream's rate for listening-grade processing (the echo canceller runs at half
 * the wire's rate: speech, and a server's voice detection, live below 6 kHz at 24 kHz).
 * Its low-pass stops before the new Nyquist (a half-band filter lets 6–7.4 kHz fold back,
 * which no linear echo filter can follow: measured, 4 dB of ERLE lost). Symmetric taps,
 * half the multiplications; keeps its own history, so chunks of any length make one
 * continuous stream; a sample comes out for every second one in. Delay: 36 input samples.
 */
export class HalfRateDecimator {
  private readonly taps = kaiserLowPass(DECIMATOR_LENGTH, DECIMATOR_CUTOFF, KAISER_BETA);
  /** The last LENGTH inputs, stored twice (LENGTH apart) so a window never wraps. */
  private readonly history = new Float64Array(2 * DECIMATOR_LENGTH);
  private position = 0;
  private odd = false;

  /** Feeds samples; writes the kept ones into `out` (room for ⌈length/2⌉ + 1) and returns how many. */
  push(samples: ArrayLike<number>, out: Float64Array): number {
    const { history, taps } = this;
    const n = DECIMATOR_LENGTH;
    const middle = (n - 1) / 2;
    let count = 0;
    for (let i = 0; i < samples.length; i++) {
      history[this.position] = samples[i]!;
      history[this.position + n] = samples[i]!;
      this.position = this.position + 1 === n ? 0 : this.position + 1;
      this.odd = !this.odd;
      if (this.odd) continue;
      // history[position … position + n) is the last n inputs, oldest first.
      const base = this.position;
      let acc = taps[middle]! * history[base + middle]!;
      for (let t = 0; t < middle; t++) acc += taps[t]! * (history[base + t]! + history[base + n - 1 - t]!);
      out[count++] = acc;
    }
    return count;
  }
}

function kaiserLowPass(length: number, cutoff: number, beta: number): Float64Array {
  const taps = new Float64Array(length);
  const middle = (length - 1) / 2;
  let sum = 0;
  for (let t = 0; t < length; t++) {
    const x = t - middle;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const r = x / middle;
    taps[t] = sinc * besselI0(beta * Math.sqrt(1 - r * r)) / besselI0(beta);
    sum += taps[t]!;
  }
  for (let t = 0; t < length; t++) taps[t] = taps[t]! / sum;
  return taps;
}

function besselI0(x: number): number {
  let sum = 1; let term = 1;
  for (let k = 1; k < 30; k++) { term *= (x / (2 * k)) ** 2; sum += term; }
  return sum;
}

/**
 * Doubles a stream's rate: zeros between the samples, then the half-band low-pass (×2).
 * Of each output pair one is a plain delayed input (the centre tap), the other the
 * filter's even taps. Delay: CENTRE output samples.
 */
export class HalfRateInterpolator {
  private readonly weights: Float64Array;
  private readonly reach: Int32Array;
  /** The last inputs the even taps reach, stored twice so a window never wraps. */
  private readonly span: number;
  private readonly history: Float64Array;
  private position = 0;

  constructor() {
    const { offsets, weights } = halfBandTaps();
    const even: number[] = []; const reach: number[] = [];
    for (let t = 0; t < offsets.length; t++) {
      if (offsets[t] === CENTRE) continue;
      even.push(2 * weights[t]!);
      reach.push(offsets[t]! / 2);
    }
    this.weights = Float64Array.from(even);
    this.span = CENTRE + 1;
    // reach r: input m - r for output 2m; stored oldest first, so index span - 1 - r.
    this.reach = Int32Array.from(reach, (r) => this.span - 1 - r);
    this.history = new Float64Array(2 * this.span);
  }

  /** Writes 2 × length samples into `out`. */
  push(samples: ArrayLike<number>, out: Float64Array): void {
    const { history, weights, reach, span } = this;
    const centreLag = span - 1 - (CENTRE - 1) / 2;
    for (let i = 0; i < samples.length; i++) {
      history[this.position] = samples[i]!;
      history[this.position + span] = samples[i]!;
      this.position = this.position + 1 === span ? 0 : this.position + 1;
      const base = this.position;
      let acc = 0;
      for (let t = 0; t < weights.length; t++) acc += weights[t]! * history[base + reach[t]!]!;
      out[2 * i] = acc;
      out[2 * i + 1] = history[base + centreLag]!;
    }
  }
}
