/**
 * Fast Fourier transform of real signals, sizes a power of two. The echo canceller
 * runs a dozen of these per 10 ms block, so it is written for speed: tables are made
 * once per size, a real transform of n points is one complex transform of n/2 (held
 * interleaved, re and im side by side), the bit-reversed load is done together with the
 * first two stages, which need no multiplications, and later stages go two at a time.
 *
 * A spectrum of n/2 + 1 bins is either two arrays (re, im) or, for callers that keep
 * many spectra, one interleaved array (re at 2k, im at 2k + 1) from any offset.
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
  /** The n/2-point complex transform's data, interleaved. */
  private readonly z: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(Math.log2(size)) || size < 4) throw new RangeError(`FFT size must be a power of two ≥ 4, not ${size}`);
    this.size = size;
    this.half = size / 2;
    this.bins = this.half + 1;
    const tables = tablesFor(size);
    this.bitReversed = tables.bitReversed;
    this.stageCos = tables.stageCos;
    this.stageSin = tables.stageSin;
    this.splitCos = tables.splitCos;
    this.splitSin = tables.splitSin;
    this.z = new Float64Array(this.size);
  }

  /** Spectrum of `input` (length `size`) into re/im (length `bins`), unscaled. */
  forward(input: ArrayLike<number>, re: Float64Array, im: Float64Array): void {
    this.loadSignal(input);
    this.butterflies();
    this.split(re, 0, im, 0, 1);
  }

  /** As `forward`, into one interleaved array: bin k's re at offset + 2k, im at offset + 2k + 1. */
  forwardInterleaved(input: ArrayLike<number>, spectrum: Float64Array, offset = 0): void {
    this.loadSignal(input);
    this.butterflies();
    this.split(spectrum, offset, spectrum, offset + 1, 2);
  }

  /**
   * As `forwardInterleaved`, for a signal of which one half is `samples` (its first size/2
   * values) and the other zeros: before them if `zerosFirst`, else after. The same result
   * as the padded signal's, without reading the zeros.
   */
  forwardHalfInterleaved(samples: Float64Array, zerosFirst: boolean, spectrum: Float64Array, offset = 0): void {
    if (this.half < 4) {
      const padded = new Float64Array(this.size);
      padded.set(samples.subarray(0, this.half), zerosFirst ? this.half : 0);
      this.forwardInterleaved(padded, spectrum, offset);
      return;
    }
    this.loadHalfSignal(samples, zerosFirst);
    this.butterflies();
    this.split(spectrum, offset, spectrum, offset + 1, 2);
  }

  /** Signal (length `size`) of the spectrum re/im, scaled by 1/size so inverse(forward(x)) = x. */
  inverse(re: Float64Array, im: Float64Array, output: Float64Array): void {
    this.loadSpectrum(re, 0, im, 0, 1);
    this.butterflies();
    this.storeSignal(output);
  }

  /**
   * As `inverse`, from one interleaved array (bin k's re at offset + 2k, im at offset + 2k + 1);
   * only the samples `from` … `from + count - 1` (both even) are written, to `output` from 0.
   */
  inverseInterleaved(spectrum: Float64Array, offset: number, output: Float64Array, from = 0, count = this.size): void {
    this.loadSpectrum(spectrum, offset, spectrum, offset + 1, 2);
    this.butterflies();
    this.storeSignal(output, from, count);
  }

  /**
   * Packs the real signal as n/2 complex points (x[2k] + i·x[2k+1]) in bit-reversed
   * order and runs the first two stages on them as it goes (sums and differences only).
   */
  private loadSignal(input: ArrayLike<number>): void {
    const { half, z, bitReversed } = this;
    if (half < 4) {
      for (let k = 0; k < half; k++) {
        const j = 2 * bitReversed[k]!;
        z[j] = input[2 * k]!;
        z[j + 1] = input[2 * k + 1]!;
      }
      this.firstStage();
      return;
    }
    for (let a = 0; a < 2 * half; a += 8) {
      const p = a >> 1;
      let k = 2 * bitReversed[p]!;
      const x0r = input[k]!; const x0i = input[k + 1]!;
      k = 2 * bitReversed[p + 1]!;
      const x1r = input[k]!; const x1i = input[k + 1]!;
      k = 2 * bitReversed[p + 2]!;
      const x2r = input[k]!; const x2i = input[k + 1]!;
      k = 2 * bitReversed[p + 3]!;
      const x3r = input[k]!; const x3i = input[k + 1]!;
      firstTwoStages(z, a, x0r, x0i, x1r, x1i, x2r, x2i, x3r, x3i);
    }
  }

  /**
   * `loadSignal` for a signal one half of which is zeros: in bit-reversed order the
   * points packed from that half are every other one (the even ones for the first half,
   * the odd ones for the second), so they are not read; the stages add their zeros as
   * before.
   */
  private loadHalfSignal(samples: Float64Array, zerosFirst: boolean): void {
    const { half, z, bitReversed } = this;
    // A point packed from the second half reads its samples `shift` earlier in `samples`.
    const shift = zerosFirst ? half : 0;
    for (let a = 0; a < 2 * half; a += 8) {
      const p = a >> 1;
      if (zerosFirst) {
        let k = 2 * bitReversed[p + 1]! - shift;
        const x1r = samples[k]!; const x1i = samples[k + 1]!;
        k = 2 * bitReversed[p + 3]! - shift;
        const x3r = samples[k]!; const x3i = samples[k + 1]!;
        firstTwoStages(z, a, 0, 0, x1r, x1i, 0, 0, x3r, x3i);
      } else {
        let k = 2 * bitReversed[p]!;
        const x0r = samples[k]!; const x0i = samples[k + 1]!;
        k = 2 * bitReversed[p + 2]!;
        const x2r = samples[k]!; const x2i = samples[k + 1]!;
        firstTwoStages(z, a, x0r, x0i, 0, 0, x2r, x2i, 0, 0);
      }
    }
  }

  /**
   * Packs a spectrum for the inverse: Z = even + i·odd of the conjugate (so the forward
   * butterflies compute the inverse), in bit-reversed order, with the first two stages.
   */
  private loadSpectrum(re: Float64Array, reOffset: number, im: Float64Array, imOffset: number, stride: number): void {
    const { half, z, bitReversed } = this;
    if (half < 4) {
      for (let k = 0; k < half; k++) {
        const j = 2 * bitReversed[k]!;
        this.packBin(re, reOffset, im, imOffset, stride, k);
        z[j] = this.packedRe;
        z[j + 1] = this.packedIm;
      }
      this.firstStage();
      return;
    }
    for (let a = 0; a < 2 * half; a += 8) {
      const p = a >> 1;
      this.packBin(re, reOffset, im, imOffset, stride, bitReversed[p]!);
      const x0r = this.packedRe; const x0i = this.packedIm;
      this.packBin(re, reOffset, im, imOffset, stride, bitReversed[p + 1]!);
      const x1r = this.packedRe; const x1i = this.packedIm;
      this.packBin(re, reOffset, im, imOffset, stride, bitReversed[p + 2]!);
      const x2r = this.packedRe; const x2i = this.packedIm;
      this.packBin(re, reOffset, im, imOffset, stride, bitReversed[p + 3]!);
      const x3r = this.packedRe; const x3i = this.packedIm;
      firstTwoStages(z, a, x0r, x0i, x1r, x1i, x2r, x2i, x3r, x3i);
    }
  }

  private packedRe = 0;
  private packedIm = 0;

  /** The packed point k of a spectrum for the inverse (into packedRe, packedIm). */
  private packBin(re: Float64Array, reOffset: number, im: Float64Array, imOffset: number, stride: number, k: number): void {
    const half = this.half;
    const ar = re[reOffset + stride * k]!; const ai = im[imOffset + stride * k]!;
    const br = re[reOffset + stride * (half - k)]!; const bi = -im[imOffset + stride * (half - k)]!;
    const er = ar + br; const ei = ai + bi;
    const dr = ar - br; const di = ai - bi;
    // Odd part times e^{+2πik/n}, then Z = even + i·odd.
    const c = this.splitCos[k]!; const s = -this.splitSin[k]!;
    const or = dr * c - di * s; const oi = dr * s + di * c;
    // Conjugate in, conjugate out: the forward butterflies compute the inverse.
    this.packedRe = er - oi;
    this.packedIm = -(ei + or);
  }

  /** The inverse's output, samples `from` … `from + count - 1` (from 0 in `output`): conjugated back and scaled by 1/size. */
  private storeSignal(output: Float64Array, from = 0, count = this.size): void {
    const z = this.z;
    const scale = 1 / this.size;
    for (let t = from, i = 0; t < from + count; t += 2, i += 2) {
      output[i] = z[t]! * scale;
      output[i + 1] = -z[t + 1]! * scale;
    }
  }

  /** Unpacks the n/2-point transform into the real signal's spectrum. */
  private split(re: Float64Array, reOffset: number, im: Float64Array, imOffset: number, stride: number): void {
    const { half, z } = this;
    re[reOffset] = z[0]! + z[1]!;
    im[imOffset] = 0;
    re[reOffset + stride * half] = z[0]! - z[1]!;
    im[imOffset + stride * half] = 0;
    for (let k = 1; k < half; k++) {
      const ar = z[2 * k]!; const ai = z[2 * k + 1]!;
      const br = z[2 * (half - k)]!; const bi = -z[2 * (half - k) + 1]!;
      // Even part (a + b)/2 and odd part (a - b)/(2i) of the packed transform.
      const er = (ar + br) / 2; const ei = (ai + bi) / 2;
      const or = (ai - bi) / 2; const oi = -(ar - br) / 2;
      const c = this.splitCos[k]!; const s = this.splitSin[k]!;
      re[reOffset + stride * k] = er + c * or - s * oi;
      im[imOffset + stride * k] = ei + c * oi + s * or;
    }
  }

  /** The first stage alone (a 2-point complex transform: sizes below 8). */
  private firstStage(): void {
    const { half, z } = this;
    for (let a = 0; a < 2 * half; a += 4) {
      const r = z[a + 2]!; const i = z[a + 3]!;
      z[a + 2] = z[a]! - r; z[a + 3] = z[a + 1]! - i;
      z[a] = z[a]! + r; z[a + 1] = z[a + 1]! + i;
    }
  }

  /**
   * The stages from the third on, in place over the bit-reversed data (decimation in
   * time): two per pass (radix 2²) while two remain, reading their twiddles from one
   * contiguous table each; then a last single stage if the count is odd.
   */
  private butterflies(): void {
    const { half, z } = this;
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
          const i0 = 2 * (start + j); const i1 = i0 + 2 * h; const i2 = i1 + 2 * h; const i3 = i2 + 2 * h;
          // First stage (size): (x0, x1) and (x2, x3) with w1.
          let r = z[i1]!; let i = z[i1 + 1]!;
          const t1r = r * c1 - i * s1; const t1i = r * s1 + i * c1;
          r = z[i3]!; i = z[i3 + 1]!;
          const t3r = r * c1 - i * s1; const t3i = r * s1 + i * c1;
          const x0r = z[i0]!; const x0i = z[i0 + 1]!;
          const x2r = z[i2]!; const x2i = z[i2 + 1]!;
          const a0r = x0r + t1r; const a0i = x0i + t1i;
          const a1r = x0r - t1r; const a1i = x0i - t1i;
          const a2r = x2r + t3r; const a2i = x2i + t3i;
          const a3r = x2r - t3r; const a3i = x2i - t3i;
          // Second stage (2·size): (a0, a2) with w2, (a1, a3) with w2·(-i).
          const b2r = a2r * c2 - a2i * s2; const b2i = a2r * s2 + a2i * c2;
          const b3r = a3r * c2 - a3i * s2; const b3i = a3r * s2 + a3i * c2;
          z[i0] = a0r + b2r; z[i0 + 1] = a0i + b2i;
          z[i2] = a0r - b2r; z[i2 + 1] = a0i - b2i;
          // (-i)·b3 = b3i - b3r·i
          z[i1] = a1r + b3i; z[i1 + 1] = a1i - b3r;
          z[i3] = a1r - b3i; z[i3 + 1] = a1i + b3r;
        }
      }
      offset += h + size;
    }
    for (; size <= half; size *= 2) {
      const span = size / 2;
      for (let start = 0; start < half; start += size) {
        for (let j = 0; j < span; j++) {
          const c = stageCos[offset + j]!; const s = stageSin[offset + j]!;
          const a = 2 * (start + j); const b = a + 2 * span;
          const br = z[b]!; const bi = z[b + 1]!;
          const tr = br * c - bi * s;
          const ti = br * s + bi * c;
          const ar = z[a]!; const ai = z[a + 1]!;
          z[b] = ar - tr; z[b + 1] = ai - ti;
          z[a] = ar + tr; z[a + 1] = ai + ti;
        }
      }
      offset += span;
    }
  }
}

/** Stages 1 and 2 (twiddles 1 and -i) on four points, written to z from index `a` (interleaved). */
function firstTwoStages(z: Float64Array, a: number, x0r: number, x0i: number, x1r: number, x1i: number, x2r: number, x2i: number, x3r: number, x3i: number): void {
  const s0r = x0r + x1r; const s0i = x0i + x1i;
  const s1r = x0r - x1r; const s1i = x0i - x1i;
  const s2r = x2r + x3r; const s2i = x2i + x3i;
  const s3r = x2r - x3r; const s3i = x2i - x3i;
  z[a] = s0r + s2r; z[a + 1] = s0i + s2i;
  z[a + 4] = s0r - s2r; z[a + 5] = s0i - s2i;
  // Twiddle -i on the fourth point: (r + i·j)(-j) = i - r·j.
  z[a + 2] = s1r + s3i; z[a + 3] = s1i - s3r;
  z[a + 6] = s1r - s3i; z[a + 7] = s1i + s3r;
}

interface Tables {
  bitReversed: Uint32Array;
  stageCos: Float64Array;
  stageSin: Float64Array;
  splitCos: Float64Array;
  splitSin: Float64Array;
}

/** Made once per size and shared (they are only read): the echo canceller holds five transforms of one size. */
const tablesBySize = new Map<number, Tables>();

/**
 * The twiddles. Each stage's are every (size/stage)-th of the split's, the same numbers to
 * the bit (the angle 2π·k/size with k = j·size/stage is 2π·j/stage scaled by powers of two,
 * which round exactly): one table of sines and cosines, not one per stage. A first build runs
 * in the interpreter, where Math.cos is slow: for the delay search's 8192 points, 14 ms.
 */
function tablesFor(size: number): Tables {
  const known = tablesBySize.get(size);
  if (known) return known;
  const half = size / 2;
  const bins = half + 1;
  const splitCos = new Float64Array(bins);
  const splitSin = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    splitCos[k] = Math.cos((2 * Math.PI * k) / size);
    splitSin[k] = -Math.sin((2 * Math.PI * k) / size);
  }
  const stageCos = new Float64Array(half);
  const stageSin = new Float64Array(half);
  for (let stage = 8, offset = 0; stage <= half; offset += stage / 2, stage *= 2) {
    const stride = size / stage;
    for (let j = 0; j < stage / 2; j++) {
      stageCos[offset + j] = splitCos[j * stride]!;
      stageSin[offset + j] = splitSin[j * stride]!;
    }
  }
  const tables = { bitReversed: bitReversal(half), stageCos, stageSin, splitCos, splitSin };
  tablesBySize.set(size, tables);
  return tables;
}

/** Each index's bits reversed, from its half's (one shift per entry, not one per bit). */
function bitReversal(n: number): Uint32Array {
  const bits = Math.log2(n);
  const table = new Uint32Array(n);
  for (let i = 1; i < n; i++) table[i] = (table[i >> 1]! >> 1) | ((i & 1) << (bits - 1));
  return table;
}
