/**
 * What the speaker played, sample for sample on the clock of the one who played it: an
 * echo canceller's reference. Pieces are recorded where they start sounding; a cut drops
 * what had not sounded yet (barge-in cleared the device). Reading a span gives what
 * sounded then, silence where nothing did. Keeps the last `capacitySeconds`.
 */
export class PlaybackTape {
  private readonly ring: Int16Array;
  /** Absolute sample position after the last one recorded. */
  private end = 0;

  constructor(readonly sampleRate: number, capacitySeconds = 4) {
    this.ring = new Int16Array(Math.round(sampleRate * capacitySeconds));
  }

  /** `samples` started sounding at `startsAt` ms. */
  record(samples: Int16Array, startsAt: number): void {
    const first = this.position(startsAt);
    if (first > this.end) this.zero(this.end, first);
    const capacity = this.ring.length;
    for (let i = 0; i < samples.length; i++) this.ring[(first + i) % capacity] = samples[i]!;
    this.end = Math.max(this.end, first + samples.length);
  }

  /** Nothing recorded sounds from `from` ms on. */
  cut(from: number): void {
    const first = this.position(from);
    if (first >= this.end) return;
    this.zero(Math.max(first, this.end - this.ring.length), this.end);
    this.end = Math.max(first, 0);
  }

  /** `count` samples of what sounded from `from` ms on. */
  read(from: number, count: number): Int16Array {
    const first = this.position(from);
    const out = new Int16Array(count);
    const oldest = this.end - this.ring.length;
    for (let i = 0; i < count; i++) {
      const p = first + i;
      if (p >= oldest && p < this.end && p >= 0) out[i] = this.ring[p % this.ring.length]!;
    }
    return out;
  }

  private position(ms: number): number {
    return Math.round((ms * this.sampleRate) / 1000);
  }

  private zero(from: number, to: number): void {
    const start = Math.max(from, to - this.ring.length);
    for (let p = start; p < to; p++) if (p >= 0) this.ring[p % this.ring.length] = 0;
  }
}
