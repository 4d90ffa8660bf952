/** Half the length of the interpolator that reads between samples: 8 taps either side. */
const HALF_TAPS = 8;

/**
 * The reference (what was played) kept long enough to be read back any number of
 * samples late, up to `capacity`: it holds the far end until its echo reaches the
 * microphone. The delay may fall between samples (a speaker and a microphone whose
 * clocks drift apart move the echo by a fraction of a sample every few blocks): then it
 * is read through a windowed-sinc interpolator, exact for integer delays.
 */
export class DelayLine {
  /** The least delay that can be read between samples: the interpolator looks this far ahead. */
  static readonly MIN_FRACTIONAL_DELAY = HALF_TAPS;
  private readonly ring: Float64Array;
  private written = 0;
  private readonly taps = new Float64Array(2 * HALF_TAPS);
  private tapsFraction = -1;
  private span = new Float64Array(0);

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
   * A fractional delay needs at least MIN_FRACTIONAL_DELAY (it is raised to it).
   */
  read(delay: number, out: Float64Array): void {
    const whole = Math.floor(delay);
    const fraction = delay - whole;
    if (fraction < 1e-6) return this.readWhole(whole, out);
    if (delay < HALF_TAPS) return this.read(HALF_TAPS, out);
    this.prepareTaps(fraction);
    const taps = this.taps;
    // out[i] = x(p - fraction), p = first + i: taps over x[p - HALF_TAPS … p + HALF_TAPS - 1],
    // read once into a contiguous span (no wrap or bounds test per tap).
    const first = this.written - whole - out.length;
    const length = out.length + 2 * HALF_TAPS;
    if (this.span.length < length) this.span = new Float64Array(length);
    const span = this.span;
    for (let j = 0; j < length; j++) span[j] = this.sample(first - HALF_TAPS + j);
    const count = taps.length;
    for (let i = 0; i < out.length; i++) {
      let acc = 0;
      for (let t = 0; t < count; t++) acc += taps[t]! * span[i + t]!;
      out[i] = acc;
    }
  }

  private readWhole(delay: number, out: Float64Array): void {
    const start = this.written - delay - out.length;
    for (let i = 0; i < out.length; i++) out[i] = this.sample(start + i);
  }

  private sample(index: number): number {
    return index >= 0 && index < this.written && this.written - index <= this.capacity ? this.ring[index % this.capacity]! : 0;
  }

  /** Tap t weighs x[p - HALF_TAPS + t] for the value at p - fraction: sinc(t - HALF_TAPS + fraction), Blackman-windowed. */
  private prepareTaps(fraction: number): void {
    if (fraction === this.tapsFraction) return;
    this.tapsFraction = fraction;
    let sum = 0;
    for (let t = 0; t < this.taps.length; t++) {
      const x = t - HALF_TAPS + fraction;
      const sinc = Math.abs(x) < 1e-12 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const phase = (Math.PI * (x + HALF_TAPS)) / HALF_TAPS;
      const window = 0.42 - 0.5 * Math.cos(phase) + 0.08 * Math.cos(2 * phase);
      this.taps[t] = sinc * window;
      sum += sinc * window;
    }
    for (let t = 0; t < this.taps.length; t++) this.taps[t] = this.taps[t]! / sum;
  }
}
