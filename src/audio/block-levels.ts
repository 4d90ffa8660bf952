import { SILENT_PEAK } from './echo-delay-estimator.js';
import { FULL_SCALE_RECIPROCAL, FULL_SCALE_SQUARED } from './pcm16.js';

/**
 * What an echo canceller at rest needs to know of each whole block of a chunk, measured in
 * one pass over the microphone and the reference together: both blocks' energies (sums of
 * squares, PCM16 units, summed as the full path sums them), where the microphone's last
 * sample beyond digital silence (`SILENT_PEAK`) is and where the reference's last sample
 * that is not 0 is, -1 if none. Reused from chunk to chunk.
 */
export class BlockLevels {
  mic = new Float64Array(0);
  reference = new Float64Array(0);
  lastAudible = new Int32Array(0);
  /** The reference's last sample that is not 0. */
  referenceLastPlayed = new Int32Array(0);

  constructor(readonly blockSize: number) {}

  /** Measures `blocks` whole blocks from `from`: block `b`'s levels are at index `b`. */
  measure(mic: Int16Array, reference: Int16Array, from: number, blocks: number): void {
    if (this.mic.length < blocks) this.grow(blocks);
    const N = this.blockSize;
    for (let b = 0, start = from; b < blocks; b++, start += N) {
      let micSum = 0;
      let referenceSum = 0;
      let last = -1;
      let lastPlayed = -1;
      for (let i = 0; i < N; i++) {
        const sample = mic[start + i]!;
        const fraction = sample * FULL_SCALE_RECIPROCAL;
        micSum += fraction * fraction;
        if (sample > SILENT_PEAK || sample < -SILENT_PEAK) last = i;
        const playedSample = reference[start + i]!;
        if (playedSample !== 0) lastPlayed = i;
        const played = playedSample * FULL_SCALE_RECIPROCAL;
        referenceSum += played * played;
      }
      this.mic[b] = micSum * FULL_SCALE_SQUARED;
      this.reference[b] = referenceSum * FULL_SCALE_SQUARED;
      this.lastAudible[b] = last;
      this.referenceLastPlayed[b] = lastPlayed;
    }
  }

  private grow(blocks: number): void {
    this.mic = new Float64Array(blocks);
    this.reference = new Float64Array(blocks);
    this.lastAudible = new Int32Array(blocks);
    this.referenceLastPlayed = new Int32Array(blocks);
  }
}
