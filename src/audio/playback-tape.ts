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
    // Of a piece longer than the tape only its last `capacity` samples stay, and nothing
    // is kept from before the tape's start.
    const skip = Math.min(samples.length, Math.max(0, samples.length - capacity, -first));
    let at = ringIndex(first + skip, capacity);
    // At most two native copies (the ring's end, then its start), not one per sample.
    for (let from = skip; from < samples.length;) {
      const count = Math.min(samples.length - from, capacity - at);
      this.ring.set(samples.subarray(from, from + count), at);
      from += count;
      at = 0;
    }
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
    return this.readInto(from, new Int16Array(count));
  }

  /**
   * What sounded from `from` ms on, as many samples as `out` holds, written into it (a
   * caller that reads every chunk reuses one array instead of allocating one per chunk).
   */
  readInto(from: number, out: Int16Array): Int16Array {
    const first = this.position(from);
    const count = out.length;
    const capacity = this.ring.length;
    // Held: position ≥ 0, < end, and no more than `capacity` back; silence elsewhere.
    const start = Math.min(Math.max(first, 0, this.end - capacity), first + count);
    const stop = Math.max(Math.min(first + count, this.end), start);
    out.fill(0, 0, start - first);
    let i = start - first;
    for (let p = start; p < stop;) {
      const at = ringIndex(p, capacity);
      const take = Math.min(stop - p, capacity - at);
      out.set(this.ring.subarray(at, at + take), i);
      i += take;
      p += take;
    }
    out.fill(0, i);
    return out;
  }

  /**
   * As `readInto`, but where the tape holds all of the span in one piece it is lent as it
   * is, a view of the tape, not copied: for a caller that only reads it before anything
   * more is recorded (an echo canceller's reference, chunk by chunk).
   */
  readLent(from: number, scratch: Int16Array): Int16Array {
    const first = this.position(from);
    const count = scratch.length;
    const capacity = this.ring.length;
    const at = ringIndex(Math.max(first, 0), capacity);
    const held = first >= 0 && first >= this.end - capacity && first + count <= this.end;
    return held && at + count <= capacity ? this.ring.subarray(at, at + count) : this.readInto(from, scratch);
  }

  private position(ms: number): number {
    return Math.round((ms * this.sampleRate) / 1000);
  }

  /** Silence from sample `from` to `to`: at most two native fills (the ring's end, then its start). */
  private zero(from: number, to: number): void {
    const capacity = this.ring.length;
    // A loop per sample here was compiled by V8 as the first reply started (~5 ms), for a gap
    // in a ring that was still silent.
    for (let p = Math.max(from, to - capacity, 0); p < to;) {
      const at = ringIndex(p, capacity);
      const count = Math.min(to - p, capacity - at);
      this.ring.fill(0, at, at + count);
      p += count;
    }
  }
}

/** Where sample position `p` (≥ 0) sits in a ring of `capacity`. */
function ringIndex(p: number, capacity: number): number {
  return p % capacity;
}
