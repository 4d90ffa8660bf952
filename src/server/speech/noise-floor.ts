/**
 * Tracks the background level under the speech: it follows quieter frames at once
 * and louder ones only slowly, so pauses between words pull it down to the room's
 * noise while seconds of talking barely lift it.
 */

/** How slowly the floor climbs towards louder frames; longer than a sentence's pauses are apart. */
const RISE_TIME_CONSTANT_MS = 5000;
/** Digital silence is -Infinity dB; clamping keeps the arithmetic finite. */
export const LEVEL_FLOOR_DBFS = -100;

export class NoiseFloor {
  private levelDbfs: number | undefined;

  constructor(private readonly frameMs: number) {}

  /** Feeds one frame's level and returns the updated floor. */
  update(frameDbfs: number): number {
    const level = Math.max(frameDbfs, LEVEL_FLOOR_DBFS);
    if (this.levelDbfs === undefined || level < this.levelDbfs) {
      this.levelDbfs = level;
    } else {
      this.levelDbfs += (level - this.levelDbfs) * (this.frameMs / RISE_TIME_CONSTANT_MS);
    }
    return this.levelDbfs;
  }

  get dbfs(): number | undefined {
    return this.levelDbfs;
  }
}

/** RMS level of PCM16 samples in dB relative to full scale (clamped, never -Infinity). */
export function frameLevelDbfs(samples: Int16Array): number {
  if (samples.length === 0) return LEVEL_FLOOR_DBFS;
  let sumOfSquares = 0;
  for (const sample of samples) sumOfSquares += sample * sample;
  const meanSquare = sumOfSquares / samples.length / (32768 * 32768);
  return meanSquare === 0 ? LEVEL_FLOOR_DBFS : Math.max(10 * Math.log10(meanSquare), LEVEL_FLOOR_DBFS);
}
