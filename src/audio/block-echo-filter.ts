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
  /*
   * Spectra are kept interleaved (bin k's re at 2k, im at 2k + 1), and the M partitions
   * of a set one after another (partition j at j·2K): the loops over all partitions and
   * bins, which are most of the filter's work, then read few arrays, close together.
   */
  /** Reference spectra, M of them in a ring: slot s at s·2K, the newest at `head`. */
  private readonly reference: Float64Array;
  private head = 0;
  /** The background filter's weights (the one that learns), partition j at j·2K. */
  private readonly back: Float64Array;
  /** The foreground filter's weights (the one whose estimate is subtracted). */
  private readonly fore: Float64Array;
  /** This block's reference spectrum, until the filter outputs are computed (then it takes its slot in the ring). */
  private readonly newest: Float64Array;
  /**
   * The background's NLMS step is applied at once only to the partitions constrained this
   * block; the others take it at the start of the next block, in the same pass over the
   * weights that computes the filter outputs (each weight read and written once per block,
   * not twice). Per partition: its proportionate rate for that step, and whether it waits.
   */
  private readonly deferredRate: Float64Array;
  private readonly deferred: Uint8Array;
  private readonly deferredPower: Float64Array;
  private stepPending = false;
  /**
   * Σ_k |W_k|² of each background partition, as the proportionate step needs it: summed
   * while the weights are written (the step, the constraint), so it is ready for the next
   * block without another pass; recomputed when the weights are replaced wholesale.
   */
  private readonly partitionPower: Float64Array;
  private partitionPowerValid = false;
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
  /** Σ_j W_j·X_j of the background and the foreground (interleaved). */
  private readonly backOutput: Float64Array;
  private readonly foreOutput: Float64Array;
  private readonly time2: Float64Array;
  private readonly yBack: Float64Array;
  private readonly yFore: Float64Array;
  private readonly eBack: Float64Array;
  private readonly crossfade: Float64Array;
  /** Spectra of this block's background echo estimate and error, each zero-padded (interleaved). */
  private readonly echoSpectrum: Float64Array;
  private readonly errorSpectrum: Float64Array;
  private readonly errorPower: Float64Array;
  private readonly echoPower: Float64Array;
  /** A reference spectrum handed out by `referenceSpectrum` (valid until the next block). */
  private readonly shown: { re: Float64Array; im: Float64Array };
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
    this.reference = new Float64Array(partitions * 2 * K);
    this.back = new Float64Array(partitions * 2 * K);
    this.fore = new Float64Array(partitions * 2 * K);
    this.newest = new Float64Array(2 * K);
    this.deferredRate = new Float64Array(partitions);
    this.deferred = new Uint8Array(partitions);
    this.deferredPower = new Float64Array(partitions);
    this.partitionPower = new Float64Array(partitions);
    this.proportion = new Float64Array(partitions).fill(1 / partitions);
    this.power = new Float64Array(K);
    this.step = new Float64Array(K);
    this.smoothedError = new Float64Array(K);
    this.smoothedEcho = new Float64Array(K);
    this.window2 = new Float64Array(2 * blockSize);
    this.backOutput = new Float64Array(2 * K);
    this.foreOutput = new Float64Array(2 * K);
    this.time2 = new Float64Array(2 * blockSize);
    this.yBack = new Float64Array(blockSize);
    this.yFore = new Float64Array(blockSize);
    this.eBack = new Float64Array(blockSize);
    this.echoSpectrum = new Float64Array(2 * K);
    this.errorSpectrum = new Float64Array(2 * K);
    this.errorPower = new Float64Array(K);
    this.echoPower = new Float64Array(K);
    this.shown = { re: new Float64Array(K), im: new Float64Array(K) };
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
    for (const a of [this.reference, this.back, this.fore, this.power, this.step, this.smoothedError, this.smoothedEcho, this.window2]) a.fill(0);
    this.partitionPowerValid = false;
    this.stepPending = false;
    this.proportion.fill(1 / this.partitions);
    this.pey = 1; this.pyy = 1; this.leak = MIN_LEAK; this.adaptedSum = 0; this.adapted = false;
    Object.assign(this.diff, { avg1: 0, var1: 0, avg2: 0, var2: 0 });
  }

  /** Power spectrum of the reference window `blocksAgo` blocks back (0: the newest). */
  referencePower(blocksAgo: number, out: Float64Array): void {
    const x = this.reference;
    const at = this.slot(blocksAgo);
    for (let k = 0, i = at; k < this.bins; k++, i += 2) out[k] = x[i]! * x[i]! + x[i + 1]! * x[i + 1]!;
  }

  /** Spectrum of the reference window `blocksAgo` blocks back (0: the newest), read only, valid until the next block. */
  referenceSpectrum(blocksAgo: number): { re: Float64Array; im: Float64Array } {
    const x = this.reference; const { re, im } = this.shown;
    const at = this.slot(blocksAgo);
    for (let k = 0, i = at; k < this.bins; k++, i += 2) { re[k] = x[i]!; im[k] = x[i + 1]!; }
    return this.shown;
  }

  /** Where the reference window `blocksAgo` blocks back starts in the ring. */
  private slot(blocksAgo: number): number {
    return ((this.head + blocksAgo) % this.partitions) * 2 * this.bins;
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
      this.fore.set(this.back);
      for (let i = 0; i < N; i++) {
        const w = this.crossfade[i]!;
        echo[i] = w * this.yBack[i]! + (1 - w) * this.yFore[i]!;
      }
    } else {
      echo.set(this.yFore);
      if (choice === 'reset-background') {
        this.back.set(this.fore);
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

  /** Shifts the reference window by a block; its spectrum will be the newest partition. */
  private takeReference(reference: Float64Array): void {
    const N = this.blockSize;
    this.window2.copyWithin(0, N);
    this.window2.set(reference, N);
    this.head = (this.head + this.partitions - 1) % this.partitions;
    this.fft.forwardInterleaved(this.window2, this.newest, 0);
  }

  /**
   * Σ_j W_j·X_j for both filters, back to time: the last N samples are each filter's
   * output for this block. Bin by bin, summing over the partitions in order, in
   * registers; the newest reference is still apart, so the ring's slot for it holds
   * the oldest reference of the last block, which the step it still owes needs.
   */
  private filterOutputs(): void {
    if (this.stepPending) this.stepAndFilter();
    else this.filterOnly();
    this.stepPending = false;
    this.reference.set(this.newest, this.slot(0));
    const N = this.blockSize;
    this.fft.inverseInterleaved(this.foreOutput, 0, this.yFore, N, N);
    this.fft.inverseInterleaved(this.backOutput, 0, this.yBack, N, N);
  }

  private filterOnly(): void {
    const K2 = 2 * this.bins; const M = this.partitions; const end = M * K2;
    const { back, fore, reference: x, newest, backOutput, foreOutput } = this;
    // Partition j ≥ 1 is in slot head + j of the ring.
    const second = (this.slot(0) + K2) % end;
    for (let k = 0; k < K2; k += 2) {
      let a = newest[k]!; let b = newest[k + 1]!;
      let br = 0; let bi = 0; let fr = 0; let fi = 0;
      let i = second + k;
      for (let j = 0, w = k; j < M; j++, w += K2) {
        const wbr = back[w]!; const wbi = back[w + 1]!; const wfr = fore[w]!; const wfi = fore[w + 1]!;
        br += a * wbr - b * wbi;
        bi += a * wbi + b * wbr;
        fr += a * wfr - b * wfi;
        fi += a * wfi + b * wfr;
        // The next partition's reference (past the last: the stale slot, not used).
        a = x[i]!; b = x[i + 1]!;
        i += K2;
        if (i >= end) i -= end;
      }
      backOutput[k] = br; backOutput[k + 1] = bi; foreOutput[k] = fr; foreOutput[k + 1] = fi;
    }
  }

  /**
   * The last block's step for the partitions that wait for it (W_j += μ_j·conj(X_j)·E with
   * that block's X_j, which is this block's X_{j+1}), and the filter outputs with the
   * weights so stepped, in one pass.
   */
  private stepAndFilter(): void {
    const K2 = 2 * this.bins; const M = this.partitions; const end = M * K2;
    const { back, fore, reference: x, newest, backOutput, foreOutput, step, deferredRate, deferredPower } = this;
    const error = this.errorSpectrum;
    deferredPower.fill(0);
    // Last block's partition j is in slot head + j + 1 of the ring.
    const older = (this.slot(0) + K2) % end;
    for (let k = 0; k < K2; k += 2) {
      const er = error[k]!; const ei = error[k + 1]!; const mu = step[k >> 1]!;
      let a = newest[k]!; let b = newest[k + 1]!;
      let br = 0; let bi = 0; let fr = 0; let fi = 0;
      let i = older + k;
      for (let j = 0, w = k; j < M; j++, w += K2) {
        const xr = x[i]!; const xi = x[i + 1]!;
        const s = deferredRate[j]! * mu;
        // conj(X)·E
        const gr = xr * er + xi * ei;
        const gi = xr * ei - xi * er;
        const wbr = back[w]! + s * gr;
        const wbi = back[w + 1]! + s * gi;
        back[w] = wbr;
        back[w + 1] = wbi;
        deferredPower[j] = deferredPower[j]! + (wbr * wbr + wbi * wbi);
        const wfr = fore[w]!; const wfi = fore[w + 1]!;
        br += a * wbr - b * wbi;
        bi += a * wbi + b * wbr;
        fr += a * wfr - b * wfi;
        fi += a * wfi + b * wfr;
        a = xr; b = xi;
        i += K2;
        if (i >= end) i -= end;
      }
      backOutput[k] = br; backOutput[k + 1] = bi; foreOutput[k] = fr; foreOutput[k + 1] = fi;
    }
    for (let j = 0; j < M; j++) if (this.deferred[j]) this.partitionPower[j] = deferredPower[j]!;
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
    const error = this.errorSpectrum;
    this.fft.forwardHalfInterleaved(this.eBack, true, error, 0);
    // The background's echo estimate for this block alone (zero-padded like the error), so
    // that its power per bin is comparable with the error's in the leak regression.
    const y = this.echoSpectrum;
    this.fft.forwardHalfInterleaved(this.yBack, true, y, 0);
    const x = this.reference; const x0 = this.slot(0);
    const { power, smoothedError, smoothedEcho, errorPower, echoPower, spectrumAverage } = this;
    const smoothing = 0.35 / this.partitions;
    let pey = 0; let pyy = 0;
    let see = 10 * N;
    for (let i = 0; i < N; i++) see += this.eBack[i]! * this.eBack[i]!;
    for (let k = 0; k < K; k++) {
      const r = 2 * k; const xr = x0 + r;
      power[k] = (1 - smoothing) * power[k]! + smoothing * (x[xr]! * x[xr]! + x[xr + 1]! * x[xr + 1]!);
      const rf = error[r]! * error[r]! + error[r + 1]! * error[r + 1]!;
      const yf = y[r]! * y[r]! + y[r + 1]! * y[r + 1]!;
      const eh = rf - smoothedError[k]!;
      const yh = yf - smoothedEcho[k]!;
      pey += eh * yh; pyy += yh * yh;
      smoothedError[k] = (1 - spectrumAverage) * smoothedError[k]! + spectrumAverage * rf;
      smoothedEcho[k] = (1 - spectrumAverage) * smoothedEcho[k]! + spectrumAverage * yf;
      errorPower[k] = rf;
      echoPower[k] = yf;
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
        const e = errorPower[k]! + 1;
        let r = Math.min(this.leak * echoPower[k]!, 0.5 * e);
        r = 0.7 * r + 0.3 * rer * e;
        this.step[k] = r / (e * (power[k]! + this.silenceFloor));
      }
    } else if (sxx > N * 100) {
      const rate = Math.min(0.25 * sxx, 0.25 * see) / see;
      for (let k = 0; k < K; k++) this.step[k] = rate / (power[k]! + this.silenceFloor);
      this.adaptedSum += rate;
    } else {
      this.step.fill(0);
    }
    this.updateProportions();
    this.stepBackground(error);
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
    const K2 = 2 * this.bins; const w = this.back;
    let sum = 0;
    for (let i = j * K2, end = i + K2; i < end; i += 2) sum += w[i]! * w[i]! + w[i + 1]! * w[i + 1]!;
    return sum;
  }

  /**
   * W_j += μ_j·conj(X_j)·E: now for the newest partition and the one other constrained this
   * block (alternately constrained: they keep a causal impulse response of N taps, no
   * circular wrap-around; the rest are put right in turn); the others wait for the next
   * block's filter outputs (`stepAndFilter`).
   */
  private stepBackground(error: Float64Array): void {
    const M = this.partitions;
    const other = M > 1 ? 1 + (this.blocks % (M - 1)) : 0;
    for (let j = 0; j < M; j++) {
      const now = j === 0 || j === other;
      this.deferred[j] = now ? 0 : 1;
      this.deferredRate[j] = now ? 0 : this.proportion[j]!;
    }
    this.stepPartition(0, error);
    this.constrain(0);
    if (M > 1) {
      this.stepPartition(other, error);
      this.constrain(other);
    }
    this.stepPending = M > 2;
    this.partitionPowerValid = true;
  }

  private stepPartition(j: number, error: Float64Array): void {
    const K2 = 2 * this.bins;
    const { back, reference: x, step } = this;
    const p = this.proportion[j]!;
    for (let k = 0, w = j * K2, i = this.slot(j); k < K2; k += 2, w += 2, i += 2) {
      const s = p * step[k >> 1]!;
      const xr = x[i]!; const xi = x[i + 1]!;
      const er = error[k]!; const ei = error[k + 1]!;
      // conj(X)·E
      const gr = xr * er + xi * ei;
      const gi = xr * ei - xi * er;
      back[w] = back[w]! + s * gr;
      back[w + 1] = back[w + 1]! + s * gi;
    }
  }

  private constrain(j: number): void {
    const N = this.blockSize;
    const at = j * 2 * this.bins;
    // The impulse response's first N taps, zero-padded.
    this.fft.inverseInterleaved(this.back, at, this.time2, 0, N);
    this.fft.forwardHalfInterleaved(this.time2, false, this.back, at);
    this.partitionPower[j] = this.weightPower(j);
  }
}
