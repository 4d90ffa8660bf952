import { RealFft } from './real-fft.js';

/** Energies of the block just processed (sums of squared samples). */
export interface EchoFilterBlock {
  mic: number;
  reference: number;
  /** What the filter thinks is echo. */
  echo: number;
  /** The microphone minus the echo estimate: what is sent on. */
  residual: number;
  /** Share of the echo estimate's power the filter believes still leaks through (0…1). */
  leak: number;
  /** True once the filter has adapted enough for its estimates to mean something. */
  adapted: boolean;
}

/** Below this a leak cannot be told from rounding: about 33 dB of cancellation. */
const MIN_LEAK = 0.005;
/** A background that does this much worse than the foreground has diverged (in variances). */
const BACKTRACK_VARIANCE = 4;

/**
 * The linear part of the echo canceller: a multidelay block frequency-domain adaptive
 * filter (Soo & Pang's MDF, alternately constrained partitions as in Speex's AUMDF) that
 * learns the room's echo path from the reference (what was played, already aligned) and
 * subtracts its estimate from the microphone.
 *
 * Double talk cannot make it diverge, for two reasons. The learning rate of each
 * frequency bin follows Valin's method: it is the share of the error that is residual
 * echo (estimated by regressing error power on echo-estimate power), so a user talking
 * over the assistant, whose voice is error the filter cannot explain, slows adaptation
 * where it speaks. And two filters run side by side (two-path): the background adapts,
 * the foreground produces the output and only takes the background's weights when they
 * have proved better; a background that goes astray is reset from the foreground.
 */
export class BlockEchoFilter {
  readonly blockSize: number;
  readonly partitions: number;
  private readonly fft: RealFft;
  private readonly bins: number;
  /** Reference spectra, M of them in one ring (slot s at s·K; the newest at `head`), and a view of each slot. */
  private readonly xReRing: Float64Array;
  private readonly xImRing: Float64Array;
  private readonly xRe: Float64Array[];
  private readonly xIm: Float64Array[];
  private head = 0;
  /** Ring offset of partition j's reference this block: `((head + j) % M)·K`. */
  private readonly slotOffset: Int32Array;
  /** Each partition of the background's weights, as a view (for the constraint's transforms). */
  private readonly backReParts: Float64Array[];
  private readonly backImParts: Float64Array[];
  /**
   * Σ_k |W_k|² of each background partition, as the proportionate step needs it: summed
   * while the weights are written (the step, the constraint), so it is ready for the next
   * block without another pass; recomputed when the weights are replaced wholesale.
   */
  private readonly partitionPower: Float64Array;
  private partitionPowerValid = false;
  private readonly backRe: Float64Array;
  private readonly backIm: Float64Array;
  private readonly foreRe: Float64Array;
  private readonly foreIm: Float64Array;
  private readonly proportion: Float64Array;
  private readonly power: Float64Array;
  private readonly step: Float64Array;
  private readonly smoothedError: Float64Array;
  private readonly smoothedEcho: Float64Array;
  private pey = 1;
  private pyy = 1;
  private leak = MIN_LEAK;
  private adaptedSum = 0;
  private adapted = false;
  private blocks = 0;
  private readonly diff = { avg1: 0, var1: 0, avg2: 0, var2: 0 };
  private readonly window2: Float64Array;
  private readonly reRe: Float64Array;
  private readonly reIm: Float64Array;
  private readonly time2: Float64Array;
  private readonly yBack: Float64Array;
  private readonly yFore: Float64Array;
  private readonly eBack: Float64Array;
  private readonly crossfade: Float64Array;
  private readonly echoRe: Float64Array;
  private readonly echoIm: Float64Array;
  private readonly errorRe: Float64Array;
  private readonly errorIm: Float64Array;
  private readonly errorPower: Float64Array;
  private readonly echoPower: Float64Array;
  private readonly spectrumAverage: number;
  private readonly beta0: number;
  private readonly betaMax: number;
  private readonly silenceFloor: number;

  constructor(blockSize: number, partitions: number, sampleRate: number) {
    this.blockSize = blockSize;
    this.partitions = partitions;
    this.fft = new RealFft(2 * blockSize);
    this.bins = this.fft.bins;
    const K = this.bins;
    this.xReRing = new Float64Array(partitions * K);
    this.xImRing = new Float64Array(partitions * K);
    this.xRe = Array.from({ length: partitions }, (_, slot) => this.xReRing.subarray(slot * K, (slot + 1) * K));
    this.xIm = Array.from({ length: partitions }, (_, slot) => this.xImRing.subarray(slot * K, (slot + 1) * K));
    this.slotOffset = new Int32Array(partitions);
    this.backRe = new Float64Array(partitions * K);
    this.backIm = new Float64Array(partitions * K);
    this.backReParts = Array.from({ length: partitions }, (_, j) => this.backRe.subarray(j * K, (j + 1) * K));
    this.backImParts = Array.from({ length: partitions }, (_, j) => this.backIm.subarray(j * K, (j + 1) * K));
    this.partitionPower = new Float64Array(partitions);
    this.foreRe = new Float64Array(partitions * K);
    this.foreIm = new Float64Array(partitions * K);
    this.proportion = new Float64Array(partitions).fill(1 / partitions);
    this.power = new Float64Array(K);
    this.step = new Float64Array(K);
    this.smoothedError = new Float64Array(K);
    this.smoothedEcho = new Float64Array(K);
    this.window2 = new Float64Array(2 * blockSize);
    this.reRe = new Float64Array(K);
    this.reIm = new Float64Array(K);
    this.time2 = new Float64Array(2 * blockSize);
    this.yBack = new Float64Array(blockSize);
    this.yFore = new Float64Array(blockSize);
    this.eBack = new Float64Array(blockSize);
    this.echoRe = new Float64Array(K);
    this.echoIm = new Float64Array(K);
    this.errorRe = new Float64Array(K);
    this.errorIm = new Float64Array(K);
    this.errorPower = new Float64Array(K);
    this.echoPower = new Float64Array(K);
    this.crossfade = Float64Array.from({ length: blockSize }, (_, i) => 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / blockSize));
    const blockSeconds = blockSize / sampleRate;
    this.spectrumAverage = Math.min(blockSeconds, 0.5);
    this.beta0 = 2 * blockSeconds;
    this.betaMax = 0.5 * blockSeconds;
    // A 2N-point spectrum of a signal at ~-70 dBFS: no learning from what is below it.
    this.silenceFloor = 2 * blockSize * 10 * 10;
  }

  /** Forgets the echo path (it moved: a new delay, a new device). */
  reset(): void {
    for (const a of [this.xReRing, this.xImRing, this.backRe, this.backIm, this.foreRe, this.foreIm, this.power, this.step, this.smoothedError, this.smoothedEcho, this.window2]) a.fill(0);
    this.partitionPowerValid = false;
    this.proportion.fill(1 / this.partitions);
    this.pey = 1; this.pyy = 1; this.leak = MIN_LEAK; this.adaptedSum = 0; this.adapted = false;
    Object.assign(this.diff, { avg1: 0, var1: 0, avg2: 0, var2: 0 });
  }

  /** Power spectrum of the reference window `blocksAgo` blocks back (0: the newest). */
  referencePower(blocksAgo: number, out: Float64Array): void {
    const index = (this.head + blocksAgo) % this.partitions;
    const re = this.xRe[index]!; const im = this.xIm[index]!;
    for (let k = 0; k < this.bins; k++) out[k] = re[k]! * re[k]! + im[k]! * im[k]!;
  }

  /** Spectrum of the reference window `blocksAgo` blocks back (0: the newest), as the filter holds it (read only). */
  referenceSpectrum(blocksAgo: number): { re: Float64Array; im: Float64Array } {
    const index = (this.head + blocksAgo) % this.partitions;
    return { re: this.xRe[index]!, im: this.xIm[index]! };
  }

  get isAdapted(): boolean {
    return this.adapted;
  }

  /**
   * One block: `mic` and `reference` (aligned, blockSize samples each) in; the residual
   * (mic minus echo estimate) into `residual`, the echo estimate into `echo`.
   */
  process(mic: Float64Array, reference: Float64Array, residual: Float64Array, echo: Float64Array): EchoFilterBlock {
    const N = this.blockSize;
    this.blocks += 1;
    this.takeReference(reference);
    this.filterOutputs();
    let sff = 0; let see = 0; let dbf = 0; let sdd = 0; let sxx = 0;
    for (let i = 0; i < N; i++) {
      const d = mic[i]!;
      const ef = d - this.yFore[i]!;
      const eb = d - this.yBack[i]!;
      this.eBack[i] = eb;
      sff += ef * ef; see += eb * eb; sdd += d * d;
      const gap = this.yFore[i]! - this.yBack[i]!;
      dbf += gap * gap;
      sxx += reference[i]! * reference[i]!;
    }
    dbf += 10 * N;
    const choice = this.compareFilters(sff, see, dbf);
    if (choice === 'take-background') {
      this.foreRe.set(this.backRe);
      this.foreIm.set(this.backIm);
      for (let i = 0; i < N; i++) {
        const w = this.crossfade[i]!;
        echo[i] = w * this.yBack[i]! + (1 - w) * this.yFore[i]!;
      }
    } else {
      echo.set(this.yFore);
      if (choice === 'reset-background') {
        this.backRe.set(this.foreRe);
        this.backIm.set(this.foreIm);
        this.partitionPowerValid = false;
        for (let i = 0; i < N; i++) this.eBack[i] = mic[i]! - this.yFore[i]!;
      }
    }
    let residualEnergy = 0; let echoEnergy = 0; let sey = 0; let syy = 0;
    for (let i = 0; i < N; i++) {
      residual[i] = mic[i]! - echo[i]!;
      residualEnergy += residual[i]! * residual[i]!;
      echoEnergy += echo[i]! * echo[i]!;
      // The learning rate follows the background, the filter that learns (as Speex does).
      sey += this.eBack[i]! * this.yBack[i]!;
      syy += this.yBack[i]! * this.yBack[i]!;
    }
    this.adapt(sxx, sey, syy);
    return { mic: sdd, reference: sxx, echo: echoEnergy, residual: residualEnergy, leak: this.leak, adapted: this.adapted };
  }

  /** Shifts the reference window by a block and adds its spectrum as the newest partition. */
  private takeReference(reference: Float64Array): void {
    const N = this.blockSize;
    this.window2.copyWithin(0, N);
    this.window2.set(reference, N);
    this.head = (this.head + this.partitions - 1) % this.partitions;
    this.fft.forward(this.window2, this.xRe[this.head]!, this.xIm[this.head]!);
    for (let j = 0; j < this.partitions; j++) this.slotOffset[j] = ((this.head + j) % this.partitions) * this.bins;
  }

  /**
   * Σ_j W_j·X_j for both filters in one pass over the reference spectra, back to time:
   * the last N samples are each filter's output for this block. The background's
   * spectrum is kept (its power stands in for the echo estimate's in the learning rate).
   */
  private filterOutputs(): void {
    const K = this.bins; const M = this.partitions;
    const bRe = this.echoRe; const bIm = this.echoIm; const fRe = this.reRe; const fIm = this.reIm;
    const { backRe, backIm, foreRe, foreIm, xReRing, xImRing, slotOffset } = this;
    // Bin by bin, summing over the partitions in order (as a pass per partition would),
    // with the four sums held in registers instead of read and written back M times.
    for (let k = 0; k < K; k++) {
      let br = 0; let bi = 0; let fr = 0; let fi = 0;
      for (let j = 0, w = k; j < M; j++, w += K) {
        const x = slotOffset[j]! + k;
        const a = xReRing[x]!; const b = xImRing[x]!;
        br += a * backRe[w]! - b * backIm[w]!;
        bi += a * backIm[w]! + b * backRe[w]!;
        fr += a * foreRe[w]! - b * foreIm[w]!;
        fi += a * foreIm[w]! + b * foreRe[w]!;
      }
      bRe[k] = br; bIm[k] = bi; fRe[k] = fr; fIm[k] = fi;
    }
    this.fft.inverse(fRe, fIm, this.time2);
    for (let i = 0, N = this.blockSize; i < N; i++) this.yFore[i] = this.time2[N + i]!;
    this.fft.inverse(bRe, bIm, this.time2);
    for (let i = 0, N = this.blockSize; i < N; i++) this.yBack[i] = this.time2[N + i]!;
  }

  /**
   * Two-path: the background takes over the output when its error is significantly
   * lower (against the variance of the difference, short and long averages); it is put
   * back to the foreground when it is significantly worse.
   */
  private compareFilters(sff: number, see: number, dbf: number): 'keep' | 'take-background' | 'reset-background' {
    const d = this.diff;
    const gain = sff - see;
    d.avg1 = 0.6 * d.avg1 + 0.4 * gain;
    d.var1 = 0.36 * d.var1 + 0.16 * sff * dbf;
    d.avg2 = 0.85 * d.avg2 + 0.15 * gain;
    d.var2 = 0.7225 * d.var2 + 0.0225 * sff * dbf;
    const better = gain * Math.abs(gain) > sff * dbf || d.avg1 * Math.abs(d.avg1) > 0.5 * d.var1 || d.avg2 * Math.abs(d.avg2) > 0.25 * d.var2;
    if (better) {
      d.avg1 = d.var1 = d.avg2 = d.var2 = 0;
      return 'take-background';
    }
    if (-gain * Math.abs(gain) > BACKTRACK_VARIANCE * sff * dbf) {
      d.avg1 = d.var1 = d.avg2 = d.var2 = 0;
      return 'reset-background';
    }
    return 'keep';
  }

  /** Learning rate per bin, then one NLMS step of the background and its constraint. */
  private adapt(sxx: number, sey: number, syy: number): void {
    const N = this.blockSize; const K = this.bins;
    // Background error spectrum (zero-padded first half: the linear-convolution part).
    this.time2.fill(0, 0, N);
    this.time2.set(this.eBack, N);
    const eRe = this.errorRe; const eIm = this.errorIm;
    this.fft.forward(this.time2, eRe, eIm);
    // The background's echo estimate for this block alone (zero-padded like the error), so
    // that its power per bin is comparable with the error's in the leak regression.
    this.time2.fill(0, 0, N);
    this.time2.set(this.yBack, N);
    this.fft.forward(this.time2, this.echoRe, this.echoIm);
    const x0r = this.xRe[this.head]!; const x0i = this.xIm[this.head]!;
    const smoothing = 0.35 / this.partitions;
    let pey = 0; let pyy = 0;
    let see = 10 * N;
    for (let i = 0; i < N; i++) see += this.eBack[i]! * this.eBack[i]!;
    for (let k = 0; k < K; k++) {
      this.power[k] = (1 - smoothing) * this.power[k]! + smoothing * (x0r[k]! * x0r[k]! + x0i[k]! * x0i[k]!);
      const rf = eRe[k]! * eRe[k]! + eIm[k]! * eIm[k]!;
      const yf = this.echoRe[k]! * this.echoRe[k]! + this.echoIm[k]! * this.echoIm[k]!;
      const eh = rf - this.smoothedError[k]!;
      const yh = yf - this.smoothedEcho[k]!;
      pey += eh * yh; pyy += yh * yh;
      this.smoothedError[k] = (1 - this.spectrumAverage) * this.smoothedError[k]! + this.spectrumAverage * rf;
      this.smoothedEcho[k] = (1 - this.spectrumAverage) * this.smoothedEcho[k]! + this.spectrumAverage * yf;
      this.errorPower[k] = rf;
      this.echoPower[k] = yf;
    }
    pyy = Math.sqrt(pyy) + 1;
    pey /= pyy;
    const alpha = Math.min(this.beta0 * syy, this.betaMax * see) / see;
    this.pey = (1 - alpha) * this.pey + alpha * pey;
    this.pyy = Math.max((1 - alpha) * this.pyy + alpha * pyy, 1);
    this.pey = Math.min(Math.max(this.pey, MIN_LEAK * this.pyy), this.pyy);
    this.leak = this.pey / this.pyy;
    let rer = (0.0001 * sxx + 3 * this.leak * syy) / see;
    rer = Math.min(Math.max(rer, (sey * sey) / (1 + see * syy)), 0.5);
    if (!this.adapted && this.adaptedSum > this.partitions && this.leak * syy > 0.03 * syy) this.adapted = true;
    if (this.adapted) {
      for (let k = 0; k < K; k++) {
        const e = this.errorPower[k]! + 1;
        let r = Math.min(this.leak * this.echoPower[k]!, 0.5 * e);
        r = 0.7 * r + 0.3 * rer * e;
        this.step[k] = r / (e * (this.power[k]! + this.silenceFloor));
      }
    } else if (sxx > N * 100) {
      const rate = Math.min(0.25 * sxx, 0.25 * see) / see;
      for (let k = 0; k < K; k++) this.step[k] = rate / (this.power[k]! + this.silenceFloor);
      this.adaptedSum += rate;
    } else {
      this.step.fill(0);
    }
    this.updateProportions();
    this.stepBackground(eRe, eIm);
  }

  /** Partitions holding more of the path learn faster (proportionate NLMS, as Speex does). */
  private updateProportions(): void {
    const M = this.partitions;
    if (!this.partitionPowerValid) for (let j = 0; j < M; j++) this.partitionPower[j] = this.weightPower(j);
    let max = 1;
    for (let j = 0; j < M; j++) {
      this.proportion[j] = Math.sqrt(this.partitionPower[j]!);
      if (this.proportion[j]! > max) max = this.proportion[j]!;
    }
    let total = 0;
    for (let j = 0; j < M; j++) { this.proportion[j] = this.proportion[j]! + 0.1 * max; total += this.proportion[j]!; }
    for (let j = 0; j < M; j++) this.proportion[j] = (0.99 * this.proportion[j]!) / total;
  }

  /** Σ_k |W_k|² of background partition j. */
  private weightPower(j: number): number {
    const K = this.bins; const re = this.backRe; const im = this.backIm;
    let sum = 0;
    for (let k = 0, w = j * K; k < K; k++, w++) sum += re[w]! * re[w]! + im[w]! * im[w]!;
    return sum;
  }

  private stepBackground(eRe: Float64Array, eIm: Float64Array): void {
    const K = this.bins; const M = this.partitions;
    const { backRe, backIm, xReRing, xImRing, slotOffset, step, partitionPower } = this;
    for (let j = 0; j < M; j++) {
      const p = this.proportion[j]!;
      let sum = 0;
      for (let k = 0, w = j * K, x = slotOffset[j]!; k < K; k++, w++, x++) {
        const s = p * step[k]!;
        const xr = xReRing[x]!; const xi = xImRing[x]!;
        const er = eRe[k]!; const ei = eIm[k]!;
        // conj(X)·E
        const gr = xr * er + xi * ei;
        const gi = xr * ei - xi * er;
        const re = backRe[w]! + s * gr;
        const im = backIm[w]! + s * gi;
        backRe[w] = re;
        backIm[w] = im;
        sum += re * re + im * im;
      }
      partitionPower[j] = sum;
    }
    // Alternately constrained: the newest partition and one other per block keep a causal
    // impulse response of N taps (no circular wrap-around); the rest are put right in turn.
    this.constrain(0);
    if (M > 1) this.constrain(1 + (this.blocks % (M - 1)));
    this.partitionPowerValid = true;
  }

  private constrain(j: number): void {
    const N = this.blockSize;
    const re = this.backReParts[j]!;
    const im = this.backImParts[j]!;
    this.fft.inverse(re, im, this.time2);
    this.time2.fill(0, N);
    this.fft.forward(this.time2, re, im);
    this.partitionPower[j] = this.weightPower(j);
  }
}
