/**
 * The microphone's background level (mean square per sample), followed as the minimum
 * of the block powers: it falls at once to a quieter block and creeps up slowly
 * (about 1 dB a second at 10 ms blocks), so speech and echo never count as noise.
 */
export class NoiseFloor {
  private floor = Infinity;

  constructor(private readonly risePerBlock = 1.0023) {}

  /** Feeds one block's mean square; returns the floor. */
  update(meanSquare: number): number {
    this.floor = this.after(meanSquare);
    return this.floor;
  }

  /** The floor `update` would return for this block, left as it is. */
  after(meanSquare: number): number {
    const value = Math.max(meanSquare, 1);
    return value < this.floor ? value : this.floor * this.risePerBlock;
  }

  get value(): number {
    return Number.isFinite(this.floor) ? this.floor : 1;
  }
}
