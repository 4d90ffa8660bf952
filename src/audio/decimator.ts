/**
 * Lowers a stream's rate by an integer factor for analysis (not for listening): a short
 * windowed-sinc low-pass evaluated only at the kept samples, so the cost is the taps per
 * output sample. Keeps its own history, so blocks of any size give one continuous stream.
 */
export class Decimator {
  private readonly taps: Float64Array;
  private readonly history: Float64Array;
  /** Next write position in the doubled ring (every sample is stored twice, n apart). */
  private position = 0;
  private phase = 0;

  constructor(readonly factor: number) {
    const half = 4 * factor;
    this.taps = new Float64Array(2 * half + 1);
    let sum = 0;
    for (let i = -half; i <= half; i++) {
      // Cut-off at 0.8 of the new Nyquist, Hann window.
      const x = (0.8 * i) / factor;
      const sinc = i === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const window = 0.5 + 0.5 * Math.cos((Math.PI * i) / (half + 1));
      this.taps[i + half] = sinc * window;
      sum += sinc * window;
    }
    for (let i = 0; i < this.taps.length; i++) this.taps[i] = this.taps[i]! / sum;
    this.history = new Float64Array(2 * this.taps.length);
  }

  /** Taps of the low-pass: after this many samples its output no longer depends on what came before. */
  get length(): number {
    return this.taps.length;
  }

  /**
   * Forgets the samples heard, as if the stream restarted with the next sample, which is
   * `phase` samples past a kept one (0: the next kept sample is `factor` samples on).
   */
  restart(phase: number): void {
    this.history.fill(0);
    this.position = 0;
    this.phase = phase % this.factor;
  }

  /** Feeds samples; writes the decimated ones into `out` (room for ⌈length/factor⌉) and returns how many. */
  push(samples: ArrayLike<number>, out: Float64Array): number {
    let count = 0;
    const n = this.taps.length;
    const { taps, history, factor } = this;
    let position = this.position;
    let phase = this.phase;
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i]!;
      history[position] = sample;
      history[position + n] = sample;
      // Counters wrapped by comparison: a division per sample was most of the cost.
      position += 1;
      if (position === n) position = 0;
      phase += 1;
      if (phase === factor) phase = 0;
      if (phase !== 0) continue;
      // history[position … position + n) is the last n samples, oldest first.
      let acc = 0;
      for (let t = 0, h = position; t < n; t++, h++) acc += taps[t]! * history[h]!;
      out[count++] = acc;
    }
    this.position = position;
    this.phase = phase;
    return count;
  }
}
