/**
 * The microphone and the reference of the blocks an echo canceller passed at rest, kept as
 * they came (16-bit, copied natively) until something reads the structures they belong in
 * (the reference's delay line, the delay search's histories), which then get them in one go.
 * Those keep the last so many samples of a stream: once more than `capacity` samples wait
 * (at least the longest of them), only the last `capacity` are handed on, the rest counted
 * as passed. Writing a block into three rings of doubles at every rest block was most of
 * what resting cost, for histories nothing reads until the microphone sounds.
 */
export class RestBacklog {
  private readonly mic: Int16Array;
  private readonly reference: Int16Array;
  /** Samples held since the last drain (more than `capacity` once some were overwritten). */
  private waiting = 0;
  /** Where the next sample goes in the rings. */
  private end = 0;

  constructor(readonly capacity: number) {
    this.mic = new Int16Array(capacity);
    this.reference = new Int16Array(capacity);
  }

  /** Samples waiting to be handed on. */
  get held(): number {
    return this.waiting;
  }

  /** Holds `count` samples of each from `from`. */
  push(mic: Int16Array, reference: Int16Array, from: number, count: number): void {
    for (let done = 0; done < count;) {
      const piece = Math.min(count - done, this.capacity - this.end);
      this.mic.set(mic.subarray(from + done, from + done + piece), this.end);
      this.reference.set(reference.subarray(from + done, from + done + piece), this.end);
      done += piece;
      this.end = this.end + piece === this.capacity ? 0 : this.end + piece;
    }
    this.waiting += count;
  }

  /**
   * Hands on what waits, oldest first: `skipped` first with how many were not kept (if
   * any), then `take` with the rest in at most two pieces (offsets into lent arrays).
   */
  drain(skipped: (count: number) => void, take: (mic: Int16Array, reference: Int16Array, offset: number, count: number) => void): void {
    const kept = Math.min(this.waiting, this.capacity);
    if (this.waiting > kept) skipped(this.waiting - kept);
    let start = this.end - kept;
    if (start < 0) {
      start += this.capacity;
      take(this.mic, this.reference, start, this.capacity - start);
      start = 0;
    }
    if (this.end > start) take(this.mic, this.reference, start, this.end - start);
    this.waiting = 0;
  }
}
