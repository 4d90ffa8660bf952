/**
 * When each captured sample was heard, on kaiwa's clock. A device delivers audio in
 * bursts (SoX on PulseAudio: ~85 ms chunks, unevenly), so arrival times jitter; counting
 * samples from one anchor does not. The anchor is the first chunk's arrival less its
 * length and the capture latency; it is set again when arrivals and the count disagree
 * by more than `reanchorMs` (a device that restarted or dropped audio). What is left is
 * a constant offset and the device clock's slow drift, both of which the echo canceller's
 * delay estimator absorbs.
 */
export class CaptureClock {
  private anchor: number | undefined;
  private samples = 0;

  constructor(
    private readonly sampleRate: number,
    private readonly captureLatencyMs = 30,
    private readonly reanchorMs = 300,
  ) {}

  /** Where the next chunk's first sample will be placed if it comes on time (undefined before the first). */
  get next(): number | undefined {
    return this.anchor === undefined ? undefined : this.anchor + (this.samples * 1000) / this.sampleRate;
  }

  /** A chunk of `count` samples arrived at `arrivedAt` ms: returns when its first sample was heard. */
  place(count: number, arrivedAt: number): number {
    const duration = (count * 1000) / this.sampleRate;
    const heardAt = arrivedAt - duration - this.captureLatencyMs;
    let anchor = this.anchor ?? heardAt;
    const expected = anchor + (this.samples * 1000) / this.sampleRate;
    if (this.anchor === undefined || Math.abs(heardAt - expected) > this.reanchorMs) {
      anchor = heardAt;
      this.anchor = anchor;
      this.samples = 0;
    }
    const start = anchor + (this.samples * 1000) / this.sampleRate;
    this.samples += count;
    return start;
  }
}
