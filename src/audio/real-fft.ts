/**
 * Fast Fourier transform of real signals, sizes a power of two. The echo canceller
 * runs a few of these per 10 ms block, so it is written for speed: tables are made
 * once per size, a real transform of n points is one complex transform of n/2, and
 * spectra live in two preallocated Float64Arrays (re, im) of n/2 + 1 bins.
 */
export class RealFft {
  readonly size: number;
  readonly bins: number;
  private readonly half: number;
  private readonly bitReversed: Uint32Array;
  /** Twiddles of the n/2-point complex transform. */
  private readonly stageCos: Float64Array;
  private readonly stageSin: Float64Array;
  /** Twiddles that split the packed transform into the real one. */
  private readonly splitCos: Float64Array;
  private readonly splitSin: Float64Array;
  private readonly zr: Float64Array;
  private readonly zi: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(Math.log2(size)) || size < 4) throw new RangeError(`FFT size must be a power of two ≥ 4, not ${size}`);
    this.size = size;
    this.half = size / 2;
    this.bins = this.half + 1;
    this.bitReversed = bitReversal(this.half);
    this.stageCos = new Float64Array(this.half);
    this.stageSin = new Float64Array(this.half);
    for (let size = 8, offset = 0; size <= this.half; offset += size / 2, size *= 2) {
      for (let j = 0; j < size / 2; j++) {
        this.stageCos[offset + j] = Math.cos((2 * Math.PI * j) / size);
        this.stageSin[offset + j] = -Math.sin((2 * Math.PI * j) / size);
      }
    }
    this.splitCos = new Float64Array(this.bins);
    this.splitSin = new Float64Array(this.bins);
    for (let k = 0; k < this.bins; k++) {
      this.splitCos[k] = Math.cos((2 * Math.PI * k) / size);
      this.splitSin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    this.zr = new Float64Array(this.half);
    this.zi = new Float64Array(this.half);
  }

  /** Spectrum of `input` (length `size`) into re/im (length `bins`), unscaled. */
  forward(input: ArrayLike<number>, re: Float64Array, im: Float64Array): void {
    const { half, zr, zi, bitReversed } = this;
    for (let k = 0; k < half; k++) {
      const j = bitReversed[k]!;
      zr[j] = input[2 * k]!;
      zi[j] = input[2 * k + 1]!;
    }
    this.butterflies();
    re[0] = zr[0]! + zi[0]!;
    im[0] = 0;
    re[half] = zr[0]! - zi[0]!;
    im[half] = 0;
    for (let k = 1; k < half; k++) {
      const ar = zr[k]!; const ai = zi[k]!;
      const br = zr[half - k]!; const bi = -zi[half - k]!;
      // Even part (a + b)/2 and odd part (a - b)/(2i) of the packed transform.
      const er = (ar + br) / 2; const ei = (ai + bi) / 2;
      const or = (ai - bi) / 2; const oi = -(ar - br) / 2;
      const c = this.splitCos[k]!; const s = this.splitSin[k]!;
      re[k] = er + c * or - s * oi;
      im[k] = ei + c * oi + s * or;
    }
  }

  /** Signal (length `size`) of the spectrum re/im, scaled by 1/size so inverse(forward(x)) = x. */
  inverse(re: Float64Array, im: Float64Array, output: Float64Array): void {
    const { half, zr, zi, bitReversed } = this;
    for (let k = 0; k < half; k++) {
      const ar = re[k]!; const ai = im[k]!;
      const br = re[half - k]!; const bi = -im[half - k]!;
      const er = ar + br; const ei = ai + bi;
      const dr = ar - br; const di = ai - bi;
      // Odd part times e^{+2πik/n}, then Z = even + i·odd.
      const c = this.splitCos[k]!; const s = -this.splitSin[k]!;
      const or = dr * c - di * s; const oi = dr * s + di * c;
      const j = bitReversed[k]!;
      // Conjugate in, conjugate out: the forward butterflies compute the inverse.
      zr[j] = er - oi;
      zi[j] = -(ei + or);
    }
    this.butterflies();
    const scale = 1 / this.size;
    for (let k = 0; k < half; k++) {
      output[2 * k] = zr[k]! * scale;
      output[2 * k + 1] = -zi[k]! * scale;
    }
  }

  /**
   * In-place decimation in time over the bit-reversed data. The first two stages need no
   * multiplications and are done apart; later stages go two at a time, reading their
   * twiddles from one contiguous table each.
   */
  private butterflies(): void {
    const { half, zr, zi } = this;
    if (half >= 2) {
      for (let a = 0; a < half; a += 2) {
        const r = zr[a + 1]!; const i = zi[a + 1]!;
        zr[a + 1] = zr[a]! - r; zi[a + 1] = zi[a]! - i;
        zr[a] = zr[a]! + r; zi[a] = zi[a]! + i;
      }
    }
    if (half >= 4) {
      for (let a = 0; a < half; a += 4) {
        const r2 = zr[a + 2]!; const i2 = zi[a + 2]!;
        zr[a + 2] = zr[a]! - r2; zi[a + 2] = zi[a]! - i2;
        zr[a] = zr[a]! + r2; zi[a] = zi[a]! + i2;
        // Twiddle -i: (r + i·j)(-j) = i - r·j.
        const r3 = zi[a + 3]!; const i3 = -zr[a + 3]!;
        zr[a + 3] = zr[a + 1]! - r3; zi[a + 3] = zi[a + 1]! - i3;
        zr[a + 1] = zr[a + 1]! + r3; zi[a + 1] = zi[a + 1]! + i3;
      }
    }
    // Two stages per pass (radix 2²): half the loads and stores of the arrays.
    let offset = 0;
    let size = 8;
    const { stageCos, stageSin } = this;
    for (; 2 * size <= half; size *= 4) {
      const h = size / 2;
      const outer = offset + h;
      for (let start = 0; start < half; start += 2 * size) {
        for (let j = 0; j < h; j++) {
          const c1 = stageCos[offset + j]!; const s1 = stageSin[offset + j]!;
          const c2 = stageCos[outer + j]!; const s2 = stageSin[outer + j]!;
          const i0 = start + j; const i1 = i0 + h; const i2 = i1 + h; const i3 = i2 + h;
          // First stage (size): (x0, x1) and (x2, x3) with w1.
          let r = zr[i1]!; let i = zi[i1]!;
          const t1r = r * c1 - i * s1; const t1i = r * s1 + i * c1;
          r = zr[i3]!; i = zi[i3]!;
          const t3r = r * c1 - i * s1; const t3i = r * s1 + i * c1;
          const a0r = zr[i0]! + t1r; const a0i = zi[i0]! + t1i;
          const a1r = zr[i0]! - t1r; const a1i = zi[i0]! - t1i;
          const a2r = zr[i2]! + t3r; const a2i = zi[i2]! + t3i;
          const a3r = zr[i2]! - t3r; const a3i = zi[i2]! - t3i;
          // Second stage (2·size): (a0, a2) with w2, (a1, a3) with w2·(-i).
          const b2r = a2r * c2 - a2i * s2; const b2i = a2r * s2 + a2i * c2;
          const b3r = a3r * c2 - a3i * s2; const b3i = a3r * s2 + a3i * c2;
          zr[i0] = a0r + b2r; zi[i0] = a0i + b2i;
          zr[i2] = a0r - b2r; zi[i2] = a0i - b2i;
          // (-i)·b3 = b3i - b3r·i
          zr[i1] = a1r + b3i; zi[i1] = a1i - b3r;
          zr[i3] = a1r - b3i; zi[i3] = a1i + b3r;
        }
      }
      offset += h + size;
    }
    for (; size <= half; size *= 2) {
      const span = size / 2;
      for (let start = 0; start < half; start += size) {
        for (let j = 0; j < span; j++) {
          const c = stageCos[offset + j]!; const s = stageSin[offset + j]!;
          const a = start + j; const b = a + span;
          const br = zr[b]!; const bi = zi[b]!;
          const tr = br * c - bi * s;
          const ti = br * s + bi * c;
          const ar = zr[a]!; const ai = zi[a]!;
          zr[b] = ar - tr; zi[b] = ai - ti;
          zr[a] = ar + tr; zi[a] = ai + ti;
        }
      }
      offset += span;
    }
  }
}

function bitReversal(n: number): Uint32Array {
  const bits = Math.log2(n);
  const table = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let reversed = 0;
    for (let b = 0; b < bits; b++) reversed |= ((i >> b) & 1) << (bits - 1 - b);
    table[i] = reversed;
  }
  return table;
}
