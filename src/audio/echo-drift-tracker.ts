import { magnitude } from './magnitude.js';
import { RealFft } from './real-fft.js';

/** Cross-spectra gathered per measurement: a quarter of a second of far end (in windows of two blocks). */
const WINDOWS_PER_MEASUREMENT_SECONDS = 0.25;
/** The echo is looked for this far either side of where it should be (ms). */
const SEARCH_MS = 2.5;
/** Only bins where speech carries the echo weigh in (Hz). */
const LOW_HZ = 150;
const HIGH_HZ = 6000;
/** A peak must stand this far above the correlation's RMS. */
const MIN_CONFIDENCE = 6;
/** Share of a measured offset corrected at once, and the share that goes into the drift rate. */
const PHASE_GAIN = 0.7;
const RATE_GAIN = 0.05;
/** A larger offset is a step (the speaker ran dry for a moment), not drift: it does not teach the rate. */
const DRIFT_STEP = 1;
/** Fastest drift followed: 1000 ppm (a tenth of a percent between two sound cards' clocks). */
const MAX_RATE = 1e-3;

/**
 * Keeps the aligned reference on the echo to a fraction of a sample while the speaker's
 * and the microphone's clocks drift apart. Measured on the acoustic loop (PulseAudio
 * null sinks joined by module-loopback, whose resampler keeps adjusting): the echo path
 * moves by 20–80 ppm, 0.4 ms in 5 s; real sound cards drift by tens to hundreds of ppm.
 * An adaptive filter cannot follow that (a tenth of a sample costs 10 dB at 4 kHz), so the
 * reference is moved instead.
 *
 * Every other block the microphone's last two blocks are cross-correlated with the
 * aligned reference window that should hold their echo (GCC-PHAT over the speech band,
 * at the stream's full rate); after a quarter of a second of far end the peak's offset from zero
 * (parabola between samples) is the misalignment. A second-order loop corrects the
 * delay by part of it and learns the drift rate, which keeps moving the delay between
 * measurements and while the far end is silent.
 */
export class EchoDriftTracker {
  private readonly fft: RealFft;
  private readonly window: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly sumRe: Float64Array;
  private readonly sumIm: Float64Array;
  private readonly correlation: Float64Array;
  private readonly lowBin: number;
  private readonly highBin: number;
  private readonly searchLag: number;
  private readonly windowsPerMeasurement: number;
  private windows = 0;
  private blocksSinceMeasurement = 0;
  private parity = 0;
  /** Samples the delay moves per block by itself (the drift rate learnt). */
  private rate = 0;
  private lastOffset: number | undefined;
  private lastConfidence = 0;

  constructor(readonly blockSize: number, readonly sampleRate: number) {
    this.fft = new RealFft(2 * blockSize);
    const bins = this.fft.bins;
    this.window = new Float64Array(2 * blockSize);
    this.re = new Float64Array(bins); this.im = new Float64Array(bins);
    this.sumRe = new Float64Array(bins); this.sumIm = new Float64Array(bins);
    this.correlation = new Float64Array(2 * blockSize);
    const hz = sampleRate / (2 * blockSize);
    this.lowBin = Math.max(1, Math.round(LOW_HZ / hz));
    this.highBin = Math.min(bins - 1, Math.round(HIGH_HZ / hz));
    this.searchLag = Math.min(Math.round((SEARCH_MS * sampleRate) / 1000), blockSize / 2);
    this.windowsPerMeasurement = Math.max(4, Math.round((WINDOWS_PER_MEASUREMENT_SECONDS * sampleRate) / (2 * blockSize)));
  }

  /** The last offset measured (samples the echo came later than expected) and its confidence. */
  get last(): { offset: number | undefined; confidence: number; ratePpm: number } {
    return { offset: this.lastOffset, confidence: this.lastConfidence, ratePpm: (1e6 * this.rate) / this.blockSize };
  }

  /** How much the delay moves this block by the drift learnt (samples). */
  get drift(): number {
    return this.rate;
  }

  /** Starts measuring afresh (the alignment jumped); the drift rate, a property of the clocks, is kept unless `forgetRate`. */
  reset(forgetRate = false): void {
    this.sumRe.fill(0); this.sumIm.fill(0);
    this.windows = 0;
    this.blocksSinceMeasurement = 0;
    if (forgetRate) this.rate = 0;
  }

  /**
   * One block. `mic` holds the microphone's newest block, `previous` the block before it;
   * `refRe`/`refIm` the spectrum of the aligned reference window that their echo should
   * fill (the filter's window one block back); `usable` is false when the block must not
   * count (no far end, someone talking). Returns the correction to add to the delay
   * (samples): the drift of one block, plus part of a misalignment when one was measured.
   */
  update(previous: Float64Array, mic: Float64Array, refRe: Float64Array, refIm: Float64Array, usable: boolean): number {
    this.blocksSinceMeasurement += 1;
    this.parity ^= 1;
    if (usable && this.parity === 0) this.accumulate(previous, mic, refRe, refIm);
    if (this.windows < this.windowsPerMeasurement) return this.rate;
    const offset = this.measure();
    const blocks = this.blocksSinceMeasurement;
    this.reset();
    if (offset === undefined) return this.rate;
    if (Math.abs(offset) < DRIFT_STEP) {
      this.rate = Math.max(-MAX_RATE * this.blockSize, Math.min(MAX_RATE * this.blockSize, this.rate + (RATE_GAIN * offset) / blocks));
    }
    return this.rate + PHASE_GAIN * offset;
  }

  private accumulate(previous: Float64Array, mic: Float64Array, refRe: Float64Array, refIm: Float64Array): void {
    const N = this.blockSize;
    this.window.set(previous, 0);
    this.window.set(mic, N);
    this.fft.forward(this.window, this.re, this.im);
    for (let k = this.lowBin; k <= this.highBin; k++) {
      // MIC·conj(REF): its inverse peaks at the lag by which the microphone trails the reference.
      this.sumRe[k] = this.sumRe[k]! + this.re[k]! * refRe[k]! + this.im[k]! * refIm[k]!;
      this.sumIm[k] = this.sumIm[k]! + this.im[k]! * refRe[k]! - this.re[k]! * refIm[k]!;
    }
    this.windows += 1;
  }

  /** GCC-PHAT peak within ±SEARCH_MS of zero lag, between samples; undefined when not clear. */
  private measure(): number | undefined {
    const K = this.fft.bins;
    for (let k = 0; k < K; k++) {
      const size = magnitude(this.sumRe[k]!, this.sumIm[k]!);
      if (size > 0) { this.sumRe[k] = this.sumRe[k]! / size; this.sumIm[k] = this.sumIm[k]! / size; }
    }
    this.fft.inverse(this.sumRe, this.sumIm, this.correlation);
    const c = this.correlation; const n = c.length; const L = this.searchLag;
    const at = (lag: number): number => c[(lag + n) % n]!;
    let best = 0;
    for (let lag = -L; lag <= L; lag++) if (at(lag) > at(best)) best = lag;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) sumSquares += c[i]! * c[i]!;
    const rms = Math.sqrt(sumSquares / n) + 1e-12;
    this.lastConfidence = at(best) / rms;
    if (this.lastConfidence < MIN_CONFIDENCE || Math.abs(best) >= L) return undefined;
    const a = at(best - 1); const b = at(best); const d = at(best + 1);
    const curvature = a - 2 * b + d;
    const offset = best + (curvature < 0 ? (0.5 * (a - d)) / curvature : 0);
    this.lastOffset = offset;
    return offset;
  }
}
