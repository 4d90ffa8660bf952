/**
 * The last `length` samples of a stream, oldest first, readable as one contiguous span
 * (`data[start … start + length)`). Appending writes after the span; only when the room
 * behind it runs out is the span moved back to the front, once per `length` samples
 * appended, instead of shifting the whole history for every block.
 */
export class RecentSamples {
  /** Twice the length: the span and the room it moves into. */
  readonly data: Float64Array;
  private end: number;

  constructor(readonly length: number) {
    this.data = new Float64Array(2 * length);
    this.end = length;
  }

  /** Where the span (the last `length` samples, oldest first) starts in `data`. */
  get start(): number {
    return this.end - this.length;
  }

  /** Appends the first `count` samples of `samples`. */
  append(samples: Float64Array, count: number): void {
    const data = this.data;
    if (count > this.length) {
      samples = samples.subarray(count - this.length, count);
      count = this.length;
    }
    if (this.end + count > data.length) {
      data.copyWithin(0, this.end - this.length, this.end);
      this.end = this.length;
    }
    for (let i = 0, at = this.end; i < count; i++, at++) data[at] = samples[i]!;
    this.end += count;
  }

  /** Forgets everything: the span is all zeros. */
  clear(): void {
    this.data.fill(0);
    this.end = this.length;
  }
}
