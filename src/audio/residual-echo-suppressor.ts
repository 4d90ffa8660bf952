import { RealFft } from './real-fft.js';

/**
 * Residual echo is overestimated by this much (9 dB) while someone may talk over it: rooms
 * colour the echo unevenly across frequency, and what a moving path leaves is not steady.
 * 6 dB let through a server's VAD 15 times on six replayed loop captures, 9 dB 9 times;
 * a voice 6 dB under the echo keeps 79 % instead of 85 % (see BENCHMARKS.md, sixth pass).
 */
const OVERESTIMATE = 8;
/**
 * ...and by 12 dB in blocks that hold echo alone (nobody talks over it): a server's VAD
 * takes a residual at -55 dBFS for speech. Replaying a live capture of the real loop
 * (300 ms, -6 dB), the output set off the WebRTC VAD 7 times at 6 dB, 3 times at 12 dB;
 * double talk, where the 6 dB stays, keeps 90.3 % of the voice (90.7 % before).
 */
const ECHO_ONLY_OVERESTIMATE = 16;
/** Deepest cut in a bin: -40 dB; -60 dB while cautious (a server's VAD hears speech at -60 dBFS). */
const FLOOR_GAIN = 0.01;
const CAUTIOUS_FLOOR_GAIN = 0.001;
/**
 * A block of echo alone (nobody talks over it) keeps -80 dB of itself, whatever the
 * estimate says: the WebRTC VAD of a server hears speech in a residual at -68 dBFS, and
 * on a digitally silent microphone nothing masks it.
 */
const GATE_GAIN = 1e-4;
/**
 * The far end each bin is weighed against is held, -1 dB per 10 ms block: what a moving
 * echo path leaves (a resampler's slips, a loudspeaker's distortion) follows the recent
 * echo level, not the instant one, so it outlasts the syllable that caused it.
 */
const HELD_DECAY = 0.8;
/** How much of last block's echo power a bin keeps: reverberation, -3 dB per 10 ms block (a room of RT60 ≈ 200 ms). */
const REVERB_HOLD = 0.5;

/** The echo left per bin is learnt over about a quarter of a second of echo. */
const SMOOTHING_SECONDS = 0.25;
/** Until that much echo was heard, the estimate is raised a further 12 dB (rooms colour the echo by ±10 dB). */
const LEARNING_BLOCKS_SECONDS = 0.3;
const LEARNING_OVERESTIMATE = 16;

/** What the suppressor is told about a block, beside the filter's residual. */
export interface SuppressorBlock {
  /** Power spectrum of the far end as it reaches the microphone (undefined: nothing can be echoing, or the delay is unknown). */
  referencePower: Float64Array | undefined;
  /** Broadband echo power per reference power. */
  coupling: number;
  /** The block holds echo alone: it teaches the per-bin residual. */
  echoOnly: boolean;
  /** The filter has not converged: estimate raised as while learning, floor at -60 dB. */
  cautious: boolean;
  /** Echo alone, and the canceller is sure of it: the whole block is cut. */
  gated: boolean;
  /** Someone may talk, but nothing in the spectrum says so yet: suppressed as echo alone. */
  doubtful: boolean;
}

/**
 * What the linear filter leaves of the echo, taken out bin by bin. For each bin it learns
 * how much residual echo comes per unit of reference played there (the room's coupling
 * less what the filter removes in that band: its ERLE), from blocks that hold echo alone;
 * the echo left now is that share of the reference playing now, held over the room's
 * reverberation. Where the filter has converged little is left to suppress; where it has
 * not (just after the delay was found, a band the voice had not used yet) nearly all of
 * it is. Until a bin has been measured, the broadband coupling stands in, raised 12 dB.
 * A voice in the room louder than the echo left in a bin keeps that bin.
 *
 * Works on overlapping windows (square-root Hann, half overlap, so analysis and synthesis
 * add back to the input when no gain is applied): one block of latency.
 */
export class ResidualEchoSuppressor {
  private readonly fft: RealFft;
  private readonly window: Float64Array;
  private readonly frame: Float64Array;
  private readonly previousInput: Float64Array;
  private readonly tail: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly echoPower: Float64Array;
  private readonly residualPower: Float64Array;
  private readonly referencePower: Float64Array;
  private readonly alpha: number;
  private readonly learningBlocks: number;
  private learnt = 0;
  private lastGainEnergy = 1;
  private echoLeft = 0;
  private passedThrough = false;
  private readonly silentReference: Float64Array;
  private readonly heldReference: Float64Array;

  constructor(readonly blockSize: number, sampleRate: number) {
    this.fft = new RealFft(2 * blockSize);
    this.window = Float64Array.from({ length: 2 * blockSize }, (_, i) => Math.sin((Math.PI * (i + 0.5)) / (2 * blockSize)));
    this.frame = new Float64Array(2 * blockSize);
    this.previousInput = new Float64Array(blockSize);
    this.tail = new Float64Array(blockSize);
    const bins = this.fft.bins;
    this.re = new Float64Array(bins); this.im = new Float64Array(bins);
    this.echoPower = new Float64Array(bins);
    this.silentReference = new Float64Array(bins);
    this.heldReference = new Float64Array(bins);
    this.residualPower = new Float64Array(bins);
    this.referencePower = new Float64Array(bins);
    this.alpha = Math.min(1, blockSize / sampleRate / SMOOTHING_SECONDS);
    this.learningBlocks = Math.ceil((LEARNING_BLOCKS_SECONDS * sampleRate) / blockSize);
  }

  /** Forgets what was learnt (the echo path changed and the filter starts over). */
  reset(): void {
    this.residualPower.fill(0);
    this.referencePower.fill(0);
    this.learnt = 0;
  }

  /** Share of the block's energy the gains kept (1: nothing suppressed). */
  get keptEnergy(): number {
    return this.lastGainEnergy;
  }

  /**
   * One block: `input` is the filter's residual (see SuppressorBlock for the rest). Writes
   * the output for the previous block (one block late) into `out`.
   */
  process(input: Float64Array, out: Float64Array, block: SuppressorBlock): void {
    const { referencePower, coupling, echoOnly, cautious, gated, doubtful } = block;
    this.passedThrough = !referencePower && this.quiet();
    if (this.passedThrough) return this.passThrough(input, out);
    const reference = this.held(referencePower ?? this.silentReference);
    const N = this.blockSize; const K = this.fft.bins;
    this.windowed(this.previousInput, input, this.re, this.im);
    this.previousInput.set(input);
    if (echoOnly) this.learn(reference);
    const learning = cautious || this.learnt < this.learningBlocks;
    const overestimate = (echoOnly || doubtful ? ECHO_ONLY_OVERESTIMATE : OVERESTIMATE) * (learning ? LEARNING_OVERESTIMATE : 1);
    const floor = cautious ? CAUTIOUS_FLOOR_GAIN : FLOOR_GAIN;
    let before = 0; let after = 0;
    let echoLeft = 0;
    for (let k = 0; k < K; k++) {
      const power = this.re[k]! * this.re[k]! + this.im[k]! * this.im[k]! + 1e-9;
      const measured = this.referencePower[k]! > 0 ? this.residualPower[k]! / this.referencePower[k]! : 0;
      const share = learning ? Math.max(measured, coupling) : measured;
      const echo = Math.max(share * reference[k]!, REVERB_HOLD * this.echoPower[k]!);
      this.echoPower[k] = echo;
      echoLeft += echo;
      const gain = gated ? GATE_GAIN : Math.max(floor, 1 - (overestimate * echo) / power);
      before += power;
      after += power * gain * gain;
      this.re[k] = this.re[k]! * gain;
      this.im[k] = this.im[k]! * gain;
    }
    this.echoLeft = echoLeft;
    this.lastGainEnergy = after / before;
    this.fft.inverse(this.re, this.im, this.frame);
    for (let i = 0; i < N; i++) {
      out[i] = this.tail[i]! + this.frame[i]! * this.window[i]!;
      this.tail[i] = this.frame[N + i]! * this.window[N + i]!;
    }
  }

  /** The far end per bin, held over what a moving path leaves behind it. */
  private held(reference: Float64Array): Float64Array {
    const held = this.heldReference;
    for (let k = 0; k < held.length; k++) held[k] = Math.max(reference[k]!, held[k]! * HELD_DECAY);
    return held;
  }

  /** No reference now and the reverberation held has died away: nothing to suppress. */
  private quiet(): boolean {
    return this.echoLeft < 1;
  }

  /**
   * Unity gain without the transforms: the windows' squares add up to one, so the output
   * is the overlap-add of the windowed input, exactly what the full path gives at gain 1.
   */
  private passThrough(input: Float64Array, out: Float64Array): void {
    const N = this.blockSize;
    for (let i = 0; i < N; i++) {
      out[i] = this.tail[i]! + this.previousInput[i]! * this.window[i]! * this.window[i]!;
      this.tail[i] = input[i]! * this.window[N + i]! * this.window[N + i]!;
    }
    this.previousInput.set(input);
    this.lastGainEnergy = 1;
    if (this.echoLeft !== 0) { this.echoPower.fill(0); this.heldReference.fill(0); }
    this.echoLeft = 0;
  }

  /** The last block went through at unity gain: the output is the input a block late, to the sample. */
  get passingThrough(): boolean {
    return this.passedThrough;
  }

  /**
   * Takes up after blocks that were passed on without it (see AcousticEchoCanceller's rest)
   * as if it had passed them through: `previous` is the last of them.
   */
  resumeAfter(previous: Float64Array): void {
    const N = this.blockSize;
    for (let i = 0; i < N; i++) this.tail[i] = previous[i]! * this.window[N + i]! * this.window[N + i]!;
    this.previousInput.set(previous);
  }

  /** Smoothed residual and reference power per bin, over echo-only blocks (re/im hold the residual's spectrum). */
  private learn(reference: Float64Array): void {
    const a = this.alpha;
    this.learnt += 1;
    for (let k = 0; k < this.fft.bins; k++) {
      const e = this.re[k]! * this.re[k]! + this.im[k]! * this.im[k]!;
      const x = reference[k]!;
      this.residualPower[k] = this.residualPower[k]! + a * (e - this.residualPower[k]!);
      this.referencePower[k] = this.referencePower[k]! + a * (x - this.referencePower[k]!);
    }
  }

  private windowed(previous: Float64Array, current: Float64Array, re: Float64Array, im: Float64Array): void {
    const N = this.blockSize;
    for (let i = 0; i < N; i++) {
      this.frame[i] = previous[i]! * this.window[i]!;
      this.frame[N + i] = current[i]! * this.window[N + i]!;
    }
    this.fft.forward(this.frame, re, im);
  }
}
