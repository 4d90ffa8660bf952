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

  /** Writes `count` samples from `offset` (all of them by default). */
  write(samples: ArrayLike<number>, offset = 0, count = samples.length - offset): void {
    const { ring, capacity } = this;
    let at = this.written % capacity;
    for (let i = 0; i < count; i++) {
      ring[at] = samples[offset + i]!;
      at += 1;
      if (at === capacity) at = 0;
    }
    this.written += count;
  }

  /**
   * `count` samples passed without being written: what the ring holds of them is stale
   * until as many are written (RestBacklog writes at least `capacity` after a skip).
   */
  skip(count: number): void {
    this.written += count;
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
    this.copyOut(first - HALF_TAPS, span, length);
    // The 16 taps held in locals and summed in order (as a loop over them would).
    const t0 = taps[0]!; const t1 = taps[1]!; const t2 = taps[2]!; const t3 = taps[3]!;
    const t4 = taps[4]!; const t5 = taps[5]!; const t6 = taps[6]!; const t7 = taps[7]!;
    const t8 = taps[8]!; const t9 = taps[9]!; const t10 = taps[10]!; const t11 = taps[11]!;
    const t12 = taps[12]!; const t13 = taps[13]!; const t14 = taps[14]!; const t15 = taps[15]!;
    for (let i = 0; i < out.length; i++) {
      out[i] = t0 * span[i]! + t1 * span[i + 1]! + t2 * span[i + 2]! + t3 * span[i + 3]!
        + t4 * span[i + 4]! + t5 * span[i + 5]! + t6 * span[i + 6]! + t7 * span[i + 7]!
        + t8 * span[i + 8]! + t9 * span[i + 9]! + t10 * span[i + 10]! + t11 * span[i + 11]!
        + t12 * span[i + 12]! + t13 * span[i + 13]! + t14 * span[i + 14]! + t15 * span[i + 15]!;
    }
  }

  private readWhole(delay: number, out: Float64Array): void {
    this.copyOut(this.written - delay - out.length, out, out.length);
  }

  /** Samples `from` … `from + count - 1` (in writing order) into `out`; those not held are 0. */
  private copyOut(from: number, out: Float64Array, count: number): void {
    const { ring, capacity, written } = this;
    // Held: index ≥ 0, < written, and no more than `capacity` back.
    const start = Math.min(Math.max(from, 0, written - capacity), from + count);
    const end = Math.max(Math.min(from + count, written), start);
    let i = 0;
    for (; i < start - from; i++) out[i] = 0;
    let at = start % capacity;
    for (let index = start; index < end; index++, i++) {
      out[i] = ring[at]!;
      at += 1;
      if (at === capacity) at = 0;
    }
    for (; i < count; i++) out[i] = 0;
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
