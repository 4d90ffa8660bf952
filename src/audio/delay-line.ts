/**
 * The reference (what was played) kept long enough to be read back any number of
 * samples late, up to `capacity`: it holds the far end until its echo reaches the
 * microphone.
 */
export class DelayLine {
  private readonly ring: Float64Array;
  private written = 0;

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
  }

  write(samples: ArrayLike<number>): void {
    for (let i = 0; i < samples.length; i++) {
      this.ring[this.written % this.capacity] = samples[i]!;
      this.written += 1;
    }
  }

  /**
   * Copies `out.length` samples ending `delay` samples before the newest one written
   * (delay 0: the newest block). Samples older than the capacity, or never written, are 0.
   */
  read(delay: number, out: Float64Array): void {
    const end = this.written - delay;
    const start = end - out.length;
    for (let i = 0; i < out.length; i++) {
      const index = start + i;
      out[i] = index >= 0 && index < this.written && this.written - index <= this.capacity ? this.ring[index % this.capacity]! : 0;
    }
  }
}
