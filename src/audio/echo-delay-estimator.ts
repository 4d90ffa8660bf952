import { DecimatedHistory } from './decimated-history.js';
import { magnitude } from './magnitude.js';
import { RealFft } from './real-fft.js';
import type { RecentSamples } from './recent-samples.js';

/** Correlation is computed at this rate: speech's pitch and formants, quarter-ms steps. */
const ANALYSIS_RATE = 4000;
/** Microphone audio correlated per estimate. */
const WINDOW_MS = 512;
/** An estimate is made this often while the far end is active and no delay is settled... */
const SEARCH_HOP_MS = 128;
/** ...and this often once a few estimates agreed (each costs three 8192-point FFTs). */
const TRACK_HOP_MS = 384;
/** Each frame's ends are faded in and out over 16 ms (see `taperEdges`). */
const EDGE_SAMPLES = Math.round((16 * ANALYSIS_RATE) / 1000);
/** Agreeing estimates that settle the delay. */
const SETTLED_AFTER = 3;
/** A correlation peak must stand this far above the correlation's RMS to be believed. */
export const MIN_CONFIDENCE = 10;
/** Estimates within this of the current delay are the same path drifting, not a new one. */
const SAME_PATH_MS = 3;
/** Decimated samples by which the decimator's low-pass delays a sound (half its taps, rounded up). */
const DECIMATOR_DELAY = 5;
/**
 * Samples within ±1 (PCM16 units) are digital silence: an idle source's zeros, or the
 * dither SoX adds to them (a quarter of the samples of an idle null sink recorded through it are ±1).
 */
export const SILENT_PEAK = 1;
/** Reference quieter than this (mean square per sample, PCM16 units) carries nothing to correlate. */
const ACTIVE_POWER = 100 * 100;

export interface DelayEstimate {
  /** Echo path delay in samples at the input rate, undefined until one is found. */
  delaySamples: number | undefined;
  /** Peak-to-RMS ratio of the last correlation (0 when none was made). */
  confidence: number;
  /** Where the last correlation peaked, in samples at the input rate, believed or not (diagnostics). */
  peakSamples: number | undefined;
}

/**
 * Finds how late the speaker's sound comes back into the microphone, by generalised
 * cross-correlation with phase transform (GCC-PHAT) between the microphone and what was
 * played, both brought down to 4 kHz. Whitening the cross-spectrum makes the peak sharp
 * even for speech, whose low frequencies would otherwise smear it over many ms. Cross-
 * spectra are averaged over successive windows so a few seconds of speech give a clear
 * peak, and an estimate is only made while the reference is active.
 *
 * A confident estimate must be confirmed by the next one (128 ms later) before it is
 * taken, the first time and whenever the path jumps (a new device, a Bluetooth speaker
 * reconnecting); estimates near the current delay track its drift.
 */
export class EchoDelayEstimator {
  readonly maxDelaySamples: number;
  private readonly factor: number;
  private readonly maxLag: number;
  private readonly window: number;
  private readonly searchHop: number;
  private readonly trackHop: number;
  private agreeing = 0;
  private readonly micHistory: DecimatedHistory;
  private readonly refHistory: DecimatedHistory;
  private written = 0;
  /** Raw samples pushed so far (both histories get as many, now or later). */
  private pushed = 0;
  private sinceEstimate = 0;
  /**
   * The transform and the spectra, made at the first correlation: 8192 points take ~20 ms
   * of CPU to set up, and a microphone that never hears the speaker never needs them.
   */
  private workspace: CorrelationSpace | undefined;
  private delay: number | undefined;
  private pending: number | undefined;
  private lastConfidence = 0;
  private lastPeak: number | undefined;
  /** Decimated microphone samples appended since the last block that held sound above its noise. */
  private sinceMicSounded = Infinity;
  private made = 0;
  /** Raw microphone samples since the last one beyond digital silence (`SILENT_PEAK`). */
  private sinceMicAudible = Infinity;
  /** Raw reference samples since the last one that was not 0 (see `referenceWindowEmpty`). */
  private sinceReferencePlayed = Infinity;
  /** The running average of cross-spectra holds nothing (all zeros): nothing was averaged since the last reset or hurry. */
  private averageEmpty = true;
  /**
   * While set, an estimate is skipped when no block of the microphone's window held sound
   * above its noise: a whitened correlation of noise (or of digital silence) with the far
   * end cannot find an echo that is not there. Set by whoever knows the microphone does
   * not hear the speaker (EchoPresence), or has no delay yet (an echo too faint to stand
   * above the noise is not worth the search), so the search costs nothing until sound comes.
   */
  onlyWhileMicSounds = false;

  constructor(readonly sampleRate: number, maxDelayMs = 600) {
    this.factor = Math.max(1, Math.round(sampleRate / ANALYSIS_RATE));
    const rate = sampleRate / this.factor;
    this.maxLag = Math.ceil((maxDelayMs * rate) / 1000);
    this.maxDelaySamples = this.maxLag * this.factor;
    this.window = Math.round((WINDOW_MS * rate) / 1000);
    this.searchHop = Math.round((SEARCH_HOP_MS * rate) / 1000);
    this.trackHop = Math.round((TRACK_HOP_MS * rate) / 1000);
    const length = this.window + this.maxLag;
    this.micHistory = new DecimatedHistory(this.factor, length);
    this.refHistory = new DecimatedHistory(this.factor, length);
  }

  /** The delay found, in samples at the input rate (as `estimate`, without making an object). */
  get delaySamples(): number | undefined {
    return this.delay;
  }

  get estimate(): DelayEstimate {
    return { delaySamples: this.delay, confidence: this.lastConfidence, peakSamples: this.lastPeak };
  }

  /** Forgets the path and the audio heard so far (the playback timeline moved). */
  reset(): void {
    this.micHistory.clear();
    this.refHistory.clear();
    this.written = 0;
    this.sinceEstimate = 0;
    this.sinceMicSounded = Infinity;
    this.delay = undefined;
    this.pending = undefined;
    this.agreeing = 0;
    this.forgetAverage();
  }

  /**
   * The echo seems to have moved: what was averaged so far is dropped and estimates come
   * every SEARCH_HOP_MS again, so a new delay is confirmed within about half a second.
   * The current delay is kept meanwhile.
   */
  hurry(): void {
    this.forgetAverage();
    this.pending = undefined;
    this.agreeing = 0;
  }

  /**
   * The echo may move from now on (the speaker's timeline stepped where it could not be
   * seen): the microphone heard so far is forgotten, so the next estimates come from the
   * echo as it is now, not from a window that mostly holds it where it was.
   */
  restartListening(): void {
    this.micHistory.clear();
    this.sinceMicSounded = Infinity;
    this.hurry();
  }

  /** Correlations computed so far (estimates not skipped): what the search has cost. */
  get estimatesMade(): number {
    return this.made;
  }

  /** Estimates in a row that agreed with the delay held (0 right after `hurry` or a new delay). */
  get agreements(): number {
    return this.agreeing;
  }

  /**
   * Feeds a block of microphone audio and the reference played at the same moments
   * (same length), and whether the microphone block held sound above its noise (see
   * `onlyWhileMicSounds`). Returns true when the delay estimate changed. `offset` and
   * `count` take a block out of longer arrays without a view on it.
   */
  push(mic: ArrayLike<number>, reference: ArrayLike<number>, micSounds = true, offset = 0, count = mic.length - offset): boolean {
    // Decimated only when an estimate reads them.
    this.micHistory.append(mic, offset, count);
    this.refHistory.append(reference, offset, count);
    this.sinceReferencePlayed = samplesSincePlayed(reference, offset, count, this.sinceReferencePlayed);
    return this.counted(count, micSounds, samplesSinceAudible(mic, offset, count, this.sinceMicAudible)) && !this.nothingToCorrelate() && this.estimateNow();
  }

  /**
   * As `push`, for a block of `count` samples whose samples reach the histories later
   * (`appendLater`): an echo canceller at rest holds them (RestBacklog), and has looked
   * through both blocks already: `lastAudible` is where the microphone's last sample beyond
   * digital silence (`SILENT_PEAK`) is, `referenceLastPlayed` where the reference's last
   * sample that is not 0 is, -1 if none. If an estimate is due with this block and there is
   * something to correlate, `catchUp` is called first, to append them.
   */
  pushLater(count: number, micSounds: boolean, lastAudible: number, referenceLastPlayed: number, catchUp: () => void): boolean {
    const sinceAudible = lastAudible < 0 ? this.sinceMicAudible + count : count - 1 - lastAudible;
    this.sinceReferencePlayed = this.sincePlayedAfter(count, referenceLastPlayed);
    if (!this.counted(count, micSounds, sinceAudible) || this.nothingToCorrelate()) return false;
    catchUp();
    return this.estimateNow();
  }

  /**
   * The samples of blocks counted with `pushLater`, oldest first, once they are handed on
   * (after `skipped`, if some of them were not kept).
   */
  appendLater(mic: Int16Array, reference: Int16Array, offset: number, count: number): void {
    this.micHistory.append(mic, offset, count);
    this.refHistory.append(reference, offset, count);
  }

  /**
   * Samples of blocks counted with `pushLater` that were not kept, older than those
   * `appendLater` then gets: at least `historyLength` of those must follow.
   */
  skipped(count: number): void {
    this.micHistory.skip(count);
    this.refHistory.skip(count);
  }

  /** Raw reference samples since the last one that was not 0. */
  get referenceSilentFor(): number {
    return this.sinceReferencePlayed;
  }

  /** Raw reference samples since the last one that was not 0, after a block of `count` whose last such is at `lastPlayed` (-1: none). */
  sincePlayedAfter(count: number, lastPlayed: number): number {
    return lastPlayed < 0 ? this.sinceReferencePlayed + count : count - 1 - lastPlayed;
  }

  /** Raw samples the histories read back: what must be appended after a skip. */
  get historyLength(): number {
    return this.micHistory.rebuildLength;
  }

  /**
   * Whether a block of `count` samples (with sound in the microphone or not) would make an
   * estimate due (`push`, `pushLater`), left uncounted: an echo canceller at rest asks
   * before it takes a block whose estimate it could not act on.
   */
  estimateDueWith(count: number, micSounds: boolean): boolean {
    const decimated = this.decimatedIn(count);
    if (!this.hopDone(this.sinceEstimate + decimated, this.written + decimated)) return false;
    return !this.onlyWhileMicSounds || micSounds || !this.quietThrough(this.sinceMicSounded + decimated);
  }

  /** An estimate is due once a hop has passed since the last and the window is full. */
  private hopDone(sinceEstimate: number, written: number): boolean {
    return sinceEstimate >= this.hop && written >= this.window;
  }

  /** Decimated samples that `count` more raw samples make. */
  private decimatedIn(count: number): number {
    return Math.floor((this.pushed + count) / this.factor) - Math.floor(this.pushed / this.factor);
  }

  private get hop(): number {
    return this.agreeing >= SETTLED_AFTER ? this.trackHop : this.searchHop;
  }

  /** Counts a block pushed; true when an estimate is due with it. */
  private counted(count: number, micSounds: boolean, sinceAudible: number): boolean {
    const decimated = this.decimatedIn(count);
    this.pushed += count;
    this.sinceMicSounded = micSounds ? 0 : this.sinceMicSounded + decimated;
    this.sinceMicAudible = sinceAudible;
    this.written += decimated;
    this.sinceEstimate += decimated;
    if (!this.hopDone(this.sinceEstimate, this.written)) return false;
    this.sinceEstimate = 0;
    if (this.onlyWhileMicSounds && this.quietThrough(this.sinceMicSounded)) {
      this.lastConfidence = 0;
      return false;
    }
    return true;
  }

  /** No block in the microphone's window held sound, `sinceMicSounded` decimated samples after the last that did (with the decimator's delay to spare). */
  private quietThrough(sinceMicSounded: number): boolean {
    return sinceMicSounded > this.window + DECIMATOR_DELAY;
  }

  /**
   * An estimate due now would find nothing, known from the raw samples counted, without
   * reading (decimating) the histories: a digitally silent microphone with nothing heard
   * before (over exact zeros a zero cross-spectrum keeps the average zero, whose correlation
   * has no peak; over dither it would only average noise in), or a reference window of
   * zeros (no far end to correlate: `referenceActive` would say so, after the histories had
   * been decimated for nothing, as they were through every word the user said between
   * replies).
   */
  private nothingToCorrelate(): boolean {
    if (!(this.averageEmpty && this.micWindowSilent()) && !this.referenceWindowEmpty()) return false;
    this.lastConfidence = 0;
    return true;
  }

  private estimateNow(): boolean {
    const mic = this.micHistory.read();
    const ref = this.refHistory.read();
    if (!referenceActive(ref)) {
      this.lastConfidence = 0;
      return false;
    }
    this.made += 1;
    const space = this.workspace ??= correlationSpace(this.window + this.maxLag);
    const { frame, fft } = space;
    const { window, maxLag } = this;
    const length = window + maxLag;
    frame.fill(0);
    for (let i = 0, at = mic.start + length - window; i < window; i++, at++) frame[i] = mic.data[at]!;
    taperEdges(frame, window, space.edge);
    fft.forward(frame, space.micRe, space.micIm);
    frame.fill(0);
    for (let i = 0, at = ref.start; i < length; i++, at++) frame[i] = ref.data[at]!;
    taperEdges(frame, length, space.edge);
    fft.forward(frame, space.refRe, space.refIm);
    this.averageWhitened(space);
    fft.inverse(space.avgRe, space.avgIm, space.correlation);
    const found = this.peak(space.correlation);
    this.lastConfidence = found.confidence;
    this.lastPeak = found.lag;
    if (found.confidence < MIN_CONFIDENCE) return false;
    return this.accept(found.lag);
  }

  /**
   * Every decimated sample of the microphone's window came from raw samples within
   * digital silence (the decimator's taps and the newest sample's phase included).
   */
  private micWindowSilent(): boolean {
    return this.sinceMicAudible >= this.window * this.factor + this.micHistory.taps;
  }

  /** Every decimated sample of the reference's window (window and lags) came from raw zeros: it is all 0. */
  private referenceWindowEmpty(): boolean {
    return this.sinceReferencePlayed >= (this.window + this.maxLag) * this.factor + this.refHistory.taps;
  }

  /** Adds this window's cross-spectrum, whitened (PHAT), to the running average. */
  private averageWhitened(space: CorrelationSpace): void {
    this.averageEmpty = false;
    const { micRe, micIm, refRe, refIm, avgRe, avgIm } = space;
    for (let k = 0; k < avgRe.length; k++) {
      // conj(MIC)·REF: its inverse peaks at lag maxLag - delay.
      const re = micRe[k]! * refRe[k]! + micIm[k]! * refIm[k]!;
      const im = micRe[k]! * refIm[k]! - micIm[k]! * refRe[k]!;
      const size = magnitude(re, im) + 1e-9;
      avgRe[k] = 0.7 * avgRe[k]! + (0.3 * re) / size;
      avgIm[k] = 0.7 * avgIm[k]! + (0.3 * im) / size;
    }
  }

  /** Highest correlation over 0…maxLag, refined between samples by a parabola; confidence against the RMS. */
  private peak(c: Float64Array): { lag: number; confidence: number } {
    let best = 0;
    let sumSquares = 0;
    for (let tau = 0; tau <= this.maxLag; tau++) {
      sumSquares += c[tau]! * c[tau]!;
      if (c[tau]! > c[best]!) best = tau;
    }
    const rms = Math.sqrt(sumSquares / (this.maxLag + 1)) + 1e-12;
    let offset = 0;
    if (best > 0 && best < this.maxLag) {
      const a = c[best - 1]!; const b = c[best]!; const d = c[best + 1]!;
      const curvature = a - 2 * b + d;
      if (curvature < 0) offset = (0.5 * (a - d)) / curvature;
    }
    const delay = (this.maxLag - (best + offset)) * this.factor;
    return { lag: delay, confidence: c[best]! / rms };
  }

  private forgetAverage(): void {
    this.workspace?.avgRe.fill(0);
    this.workspace?.avgIm.fill(0);
    this.averageEmpty = true;
  }

  private accept(delay: number): boolean {
    const near = (this.sampleRate * SAME_PATH_MS) / 1000;
    if (this.delay !== undefined && Math.abs(delay - this.delay) <= near) {
      this.pending = undefined;
      this.agreeing += 1;
      const moved = Math.abs(delay - this.delay) >= 1;
      this.delay = 0.8 * this.delay + 0.2 * delay;
      return moved;
    }
    if (this.pending !== undefined && Math.abs(delay - this.pending) <= near) {
      this.delay = delay;
      this.pending = undefined;
      this.agreeing = 1;
      return true;
    }
    this.pending = delay;
    this.agreeing = 0;
    return false;
  }
}

/** What one correlation works in: a frame, its transform, the two spectra and their whitened running average. */
interface CorrelationSpace {
  fft: RealFft;
  frame: Float64Array;
  micRe: Float64Array; micIm: Float64Array;
  refRe: Float64Array; refIm: Float64Array;
  avgRe: Float64Array; avgIm: Float64Array;
  correlation: Float64Array;
  /** The raised-cosine rise each frame's ends are faded with (see `taperEdges`). */
  edge: Float64Array;
}

function correlationSpace(length: number): CorrelationSpace {
  const fft = new RealFft(2 ** Math.ceil(Math.log2(length)));
  const spectrum = () => new Float64Array(fft.bins);
  return {
    fft, frame: new Float64Array(fft.size), correlation: new Float64Array(fft.size),
    micRe: spectrum(), micIm: spectrum(), refRe: spectrum(), refIm: spectrum(), avgRe: spectrum(), avgIm: spectrum(),
    edge: Float64Array.from({ length: EDGE_SAMPLES }, (_, i) => 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / EDGE_SAMPLES)),
  };
}

/**
 * Fades the first and last samples of `frame[0, length)` in and out. A frame cut off
 * loud (the echo's onset at the very end of the microphone's window, the far end speaking
 * at the end of the reference's) is a step into the zero padding, and whitened, the two
 * steps correlate with each other: a confident peak at delay 0 before any echo was heard.
 */
function taperEdges(frame: Float64Array, length: number, edge: Float64Array): void {
  for (let i = 0; i < edge.length; i++) {
    frame[i] = frame[i]! * edge[i]!;
    frame[length - 1 - i] = frame[length - 1 - i]! * edge[i]!;
  }
}

/** The reference holds sound worth correlating. */
function referenceActive(history: RecentSamples): boolean {
  let energy = 0;
  const { data, start, length } = history;
  for (let i = start; i < start + length; i++) energy += data[i]! * data[i]!;
  return energy / length > ACTIVE_POWER;
}

/** Samples since the last beyond digital silence, given how many there were before the `count` from `offset`. */
function samplesSinceAudible(samples: ArrayLike<number>, offset: number, count: number, before: number): number {
  for (let i = count - 1; i >= 0; i--) {
    const sample = samples[offset + i]!;
    if (sample > SILENT_PEAK || sample < -SILENT_PEAK) return count - 1 - i;
  }
  return before + count;
}

/** As `samplesSinceAudible`, counting from the last sample that is not 0. */
function samplesSincePlayed(samples: ArrayLike<number>, offset: number, count: number, before: number): number {
  for (let i = count - 1; i >= 0; i--) if (samples[offset + i] !== 0) return count - 1 - i;
  return before + count;
}
