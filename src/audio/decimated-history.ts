import { Decimator } from './decimator.js';
import { RecentSamples } from './recent-samples.js';

/**
 * The last `length` samples of a stream brought down by `factor` (Decimator), decimated
 * only when read. Appending copies the raw samples; `read` decimates what came since the
 * last read. A reader that reads seldom (the delay estimator between estimates, or not
 * at all while it has nothing to look for) pays nothing in between, and a gap longer than
 * the history is decimated from just enough raw samples to fill it: the values are the
 * same, to the bit, as if every sample had been decimated as it came.
 */
export class DecimatedHistory {
  private readonly decimator: Decimator;
  private readonly history: RecentSamples;
  /** Raw samples, a ring indexed by their position in the stream modulo its length. */
  private readonly raw: Float64Array;
  /** Raw samples needed to rebuild the whole history: the decimator's settling included. */
  private readonly rebuild: number;
  private readonly out: Float64Array;
  /** Samples appended so far (the stream's position). */
  private appended = 0;
  /** Samples the decimator has seen (what is left up to `appended` waits for a read). */
  private decimated = 0;

  constructor(readonly factor: number, readonly length: number) {
    this.decimator = new Decimator(factor);
    this.history = new RecentSamples(length);
    this.rebuild = (length + Math.ceil(this.decimator.length / factor) + 1) * factor;
    this.raw = new Float64Array(this.rebuild);
    this.out = new Float64Array(Math.ceil(this.raw.length / factor) + 1);
  }

  /** Raw samples each decimated one is made of. */
  get taps(): number {
    return this.decimator.length;
  }

  /** Appends `count` raw samples from `offset` (any number: the ring keeps what a read can need); returns how many decimated samples they add (as Decimator.push would). */
  append(samples: ArrayLike<number>, offset = 0, count = samples.length - offset): number {
    const ring = this.raw;
    let at = this.appended % ring.length;
    let from = 0;
    // A whole array that fits: one native copy (views, to split one, would cost more than a loop).
    if (offset === 0 && count === samples.length && at + count <= ring.length) {
      ring.set(samples, at);
      from = count;
    }
    while (from < count) {
      const piece = Math.min(count - from, ring.length - at);
      for (let i = 0; i < piece; i++) ring[at + i] = samples[offset + from + i]!;
      from += piece;
      at = 0;
    }
    const before = this.appended;
    this.appended += count;
    return Math.floor(this.appended / this.factor) - Math.floor(before / this.factor);
  }

  /**
   * `count` raw samples passed without being appended: the ring holds stale values for
   * them until as many as `rebuild` are appended (RestBacklog appends that many after a
   * skip), and a read rebuilds the history from those alone, as it does after any long gap.
   */
  skip(count: number): void {
    this.appended += count;
  }

  /** Raw samples a read may need: the most a skip must be followed by. */
  get rebuildLength(): number {
    return this.rebuild;
  }

  /** The last `length` decimated samples, oldest first: `data[start … start + length)`. */
  read(): RecentSamples {
    let from = this.decimated;
    // Older samples would only be pushed out again: restart the decimator where the rest begins.
    if (this.appended - from > this.rebuild) {
      from = this.appended - this.rebuild;
      this.decimator.restart(from % this.factor);
    }
    const ring = this.raw;
    while (from < this.appended) {
      const at = from % ring.length;
      const count = Math.min(this.appended - from, ring.length - at);
      const made = this.decimator.push(ring.subarray(at, at + count), this.out);
      this.history.append(this.out, made);
      from += count;
    }
    this.decimated = this.appended;
    return this.history;
  }

  /** Forgets what was heard so far: the history reads all zeros until new samples push them out. */
  clear(): void {
    this.read();
    this.history.clear();
  }
}
