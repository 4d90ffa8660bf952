import { HalfRateDecimator, HalfRateInterpolator } from './half-rate.js';

/** Delay of decimating then interpolating (input samples): the decimator's 36, the interpolator's 23. */
const FILTERS_DELAY = 59;

/**
 * Lets the echo canceller work at half the stream's rate and still hand back the whole
 * band. The microphone and the reference go down to half the rate (below ~5.4 kHz at
 * 24 kHz, where speech and a server's voice detection live); what the canceller makes of
 * the low band comes back up, and the microphone's high band (the microphone less its own
 * low band brought down and up the same way) is added, scaled by the share of energy the
 * canceller kept in that block: untouched when it passed the block through, cut with it,
 * and an echo's high band goes down with its low band.
 */
export class HalfRateBands {
  /** Delay from input to output, in input samples. */
  readonly latency: number;
  private readonly micDown = new HalfRateDecimator();
  private readonly refDown = new HalfRateDecimator();
  private readonly cleanedUp = new HalfRateInterpolator();
  private readonly micUp = new HalfRateInterpolator();
  private micLow = new Float64Array(0);
  private refLow = new Float64Array(0);
  private cleanedHigh = new Float64Array(0);
  private micLowHigh = new Float64Array(0);
  /** The raw microphone, waiting to be matched with its low band when that comes back up. */
  private raw = new Float64Array(0);
  private rawStart = 0;
  private rawEnd = 0;
  private gain = 1;

  /**
   * `latencyLow`: the processing's delay at half the rate, `padLow` of which the caller
   * hands out as silence before its first block (`padLow * 2` output samples not from `up`).
   */
  constructor(latencyLow: number, padLow: number) {
    this.latency = 2 * latencyLow + FILTERS_DELAY;
    this.pushRaw(new Float64Array(this.latency - 2 * padLow));
  }

  /** Both streams at half the rate (valid for the returned count; overwritten on the next call). */
  down(mic: Int16Array, reference: Int16Array): { mic: Float64Array; reference: Float64Array; count: number } {
    const most = Math.ceil(mic.length / 2) + 1;
    if (this.micLow.length < most) { this.micLow = new Float64Array(most); this.refLow = new Float64Array(most); }
    this.pushRaw(mic);
    const count = this.micDown.push(mic, this.micLow);
    this.refDown.push(reference, this.refLow);
    return { mic: this.micLow, reference: this.refLow, count };
  }

  /**
   * Writes 2 × cleaned.length samples of output into `out` from `at`: `cleaned` is what the
   * canceller made of `source`, the half-rate microphone block it came from.
   */
  up(cleaned: Float64Array, source: Float64Array, out: Int16Array, at: number): void {
    const n = 2 * cleaned.length;
    if (this.cleanedHigh.length < n) { this.cleanedHigh = new Float64Array(n); this.micLowHigh = new Float64Array(n); }
    this.cleanedUp.push(cleaned, this.cleanedHigh);
    this.micUp.push(source, this.micLowHigh);
    const kept = energy(cleaned);
    const had = energy(source);
    const gain = had > 0 ? Math.min(1, Math.sqrt(kept / had)) : kept > 0 ? 1 : this.gain;
    // The gain moves across the block, so the high band does not click at block edges.
    const from = this.gain;
    this.gain = gain;
    const raw = this.raw;
    for (let i = 0; i < n; i++) {
      const g = from + ((gain - from) * (i + 1)) / n;
      const high = raw[this.rawStart + i]! - this.micLowHigh[i]!;
      const v = Math.round(this.cleanedHigh[i]! + g * high);
      out[at + i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    this.rawStart += n;
  }

  private pushRaw(samples: ArrayLike<number>): void {
    if (this.rawEnd + samples.length > this.raw.length) {
      const held = this.rawEnd - this.rawStart;
      const next = held + samples.length > this.raw.length ? new Float64Array(2 * (held + samples.length)) : this.raw;
      next.set(this.raw.subarray(this.rawStart, this.rawEnd));
      this.raw = next;
      this.rawStart = 0;
      this.rawEnd = held;
    }
    for (let i = 0; i < samples.length; i++) this.raw[this.rawEnd++] = samples[i]!;
  }
}

function energy(block: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < block.length; i++) sum += block[i]! * block[i]!;
  return sum;
}
