import { RealFft } from './real-fft.js';
import { speechBandBins } from './speech-band.js';

/** Cross- and auto-spectra are averaged over about ten blocks (a tenth of a second). */
const SMOOTHING = 0.8;
/**
 * A coherence over few blocks is biased up (over one block it is 1 whatever the signals):
 * until this many blocks have been averaged since the far end started, it is not told.
 */
const LEAST_BLOCKS = 5;

/**
 * How much of what the linear filter left is still the far end: the magnitude-squared
 * coherence between the aligned reference and the residual, per bin over the speech
 * band, weighted by the residual's power there. Near 1 when the residual is echo the
 * filter failed to remove (whatever the reason: the path moved under it, it has not
 * learnt a band yet), since any linear path keeps the far end coherent with itself;
 * near 0 when it is a voice in the room, which the far end does not explain, however
 * loud the echo beside it. Energy cannot tell these apart: a filter that removes only
 * 5 dB leaves a residual as far above the expected one as a quiet voice under the echo.
 */
export class EchoCoherence {
  private readonly fft: RealFft;
  private readonly frame: Float64Array;
  private readonly previous: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly crossRe: Float64Array;
  private readonly crossIm: Float64Array;
  private readonly referencePower: Float64Array;
  private readonly residualPower: Float64Array;
  private readonly low: number;
  private readonly high: number;
  private value = 0;
  private averaged = 0;

  constructor(readonly blockSize: number, sampleRate: number) {
    this.fft = new RealFft(2 * blockSize);
    this.frame = new Float64Array(2 * blockSize);
    this.previous = new Float64Array(blockSize);
    const bins = this.fft.bins;
    this.re = new Float64Array(bins); this.im = new Float64Array(bins);
    this.crossRe = new Float64Array(bins); this.crossIm = new Float64Array(bins);
    this.referencePower = new Float64Array(bins);
    this.residualPower = new Float64Array(bins);
    ({ low: this.low, high: this.high } = speechBandBins(blockSize, sampleRate));
  }

  /** The latest coherence (0…1). */
  get echoShare(): number {
    return this.value;
  }

  /** Spectrum of the residual's last two blocks (read only, valid until the next update). */
  get residualSpectrum(): { re: Float64Array; im: Float64Array } {
    return { re: this.re, im: this.im };
  }

  /** Forgets the averages (nothing to compare: the far end fell silent). */
  reset(): void {
    this.crossRe.fill(0); this.crossIm.fill(0);
    this.referencePower.fill(0); this.residualPower.fill(0);
    this.value = 0;
    this.averaged = 0;
  }

  /**
   * One block of residual, and the spectrum of the reference window whose echo it holds
   * (the filter's, over the same two blocks). Returns the updated coherence.
   */
  update(residual: Float64Array, referenceRe: Float64Array, referenceIm: Float64Array): number {
    const N = this.blockSize;
    this.frame.set(this.previous);
    this.frame.set(residual, N);
    this.previous.set(residual);
    this.fft.forward(this.frame, this.re, this.im);
    const a = SMOOTHING; const b = 1 - a;
    let weighted = 0; let total = 0;
    for (let k = this.low; k <= this.high; k++) {
      const xr = referenceRe[k]!; const xi = referenceIm[k]!;
      const er = this.re[k]!; const ei = this.im[k]!;
      // X · conj(E)
      const cr = a * this.crossRe[k]! + b * (xr * er + xi * ei);
      const ci = a * this.crossIm[k]! + b * (xi * er - xr * ei);
      const xx = a * this.referencePower[k]! + b * (xr * xr + xi * xi);
      const ee = a * this.residualPower[k]! + b * (er * er + ei * ei);
      this.crossRe[k] = cr; this.crossIm[k] = ci;
      this.referencePower[k] = xx; this.residualPower[k] = ee;
      const coherence = (cr * cr + ci * ci) / (xx * ee + 1e-12);
      weighted += coherence * ee;
      total += ee;
    }
    this.averaged += 1;
    this.value = total > 0 && this.averaged >= LEAST_BLOCKS ? weighted / total : 0;
    return this.value;
  }
}
