import { speechBandBins } from './speech-band.js';

/** A bin must stand this far (6 dB) above the whole echo it could hold to be beyond it. */
const MARGIN = 4;
/**
 * ...and this far (9 dB) to be far beyond it (see `farShare`). 6 dB called half of a
 * pure echo's residual beyond it in 2 blocks of a live capture just after the delay was
 * found again (the coupling, measured afresh, still 4 dB low): a turn leaked.
 */
const FAR_MARGIN = 8;
/** A bin's far end is held -1 dB per 10 ms block, over the reverberation and what a moving path leaves. */
const HELD_DECAY = 0.8;

/**
 * How much of what the linear filter left cannot be the far end's echo at all: the share
 * of the residual's power (speech band) in bins louder, by 6 dB, than the whole echo
 * that bin could hold, the far end there (held) times the coupling, with no credit for
 * what the filter removes. A filter that failed (the path moved, it has not converged)
 * leaves at most the echo itself, so this stays near 0 whatever the filter does; a voice
 * has its own spectrum, so many of its bins stand far above an echo of similar broadband
 * level.
 */
export class NearEndEvidence {
  private readonly held: Float64Array;
  private readonly low: number;
  private readonly high: number;

  constructor(readonly blockSize: number, sampleRate: number) {
    const bins = blockSize + 1;
    this.held = new Float64Array(bins);
    ({ low: this.low, high: this.high } = speechBandBins(blockSize, sampleRate));
  }

  private far = 0;

  reset(): void {
    this.held.fill(0);
    this.far = 0;
  }

  /** The last block's share of the residual's power far beyond the whole echo (9 dB), whatever the coupling. */
  get farShare(): number {
    return this.far;
  }

  /**
   * Residual and reference spectra over the same two blocks (unwindowed, same transform),
   * and the broadband coupling (1, the worst, before it was measured).
   */
  update(residualRe: Float64Array, residualIm: Float64Array, referenceRe: Float64Array, referenceIm: Float64Array, coupling: number): number {
    let beyond = 0; let farBeyond = 0; let total = 0;
    const threshold = MARGIN * coupling;
    const farThreshold = FAR_MARGIN * coupling;
    for (let k = this.low; k <= this.high; k++) {
      const reference = referenceRe[k]! * referenceRe[k]! + referenceIm[k]! * referenceIm[k]!;
      const held = Math.max(reference, this.held[k]! * HELD_DECAY);
      this.held[k] = held;
      const residual = residualRe[k]! * residualRe[k]! + residualIm[k]! * residualIm[k]!;
      total += residual;
      if (residual > threshold * held) beyond += residual;
      if (residual > farThreshold * held) farBeyond += residual;
    }
    this.far = total > 0 ? farBeyond / total : 0;
    return total > 0 ? beyond / total : 0;
  }
}
