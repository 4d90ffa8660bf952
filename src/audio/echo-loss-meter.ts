/** What the meter is told about one block (energies: sums of squares over the block). */
export interface EchoLossBlock {
  mic: number;
  /** The microphone after the linear filter. */
  residual: number;
  /** What is sent on after residual echo suppression. */
  output: number;
  /** The reference, aligned and smeared over the room's reverberation. */
  reference: number;
  /** The block holds echo worth measuring: the far end is active, the echo above the noise, nobody talks over it. */
  echoOnly: boolean;
}

/** Smoothed over about a quarter of a second of echo. */
const SMOOTHING_SECONDS = 0.25;
/**
 * The coupling is told from this many blocks on. Taken from one, it was once a dropout's
 * (the microphone at its floor while the far end played): 60 dB low, so that every later
 * block passed for talk, none was measured again, and each reply's echo cut it off.
 */
const COUPLING_AFTER_BLOCKS = 3;

/**
 * Live measurements of the echo path and of the canceller, in dB, from blocks that hold
 * echo alone: the echo return loss (how much quieter the echo is than what was played:
 * the coupling between speaker and microphone), the linear filter's echo return loss
 * enhancement (ERLE), and the whole canceller's attenuation, suppression included (what
 * is left of the echo when the audio reaches the server).
 */
export class EchoLossMeter {
  private readonly alpha: number;
  private mic = 0;
  private residual = 0;
  private output = 0;
  private reference = 0;
  private measured = 0;

  constructor(blockSeconds: number) {
    this.alpha = Math.min(1, blockSeconds / SMOOTHING_SECONDS);
  }

  update(block: EchoLossBlock): void {
    if (!block.echoOnly) return;
    // The first blocks averaged evenly, then exponentially: none of them weighs alone.
    const a = Math.max(this.alpha, 1 / (this.measured + 1));
    this.mic += a * (block.mic - this.mic);
    this.residual += a * (block.residual - this.residual);
    this.output += a * (block.output - this.output);
    this.reference += a * (block.reference - this.reference);
    this.measured += 1;
  }

  reset(): void {
    this.mic = this.residual = this.output = this.reference = 0;
    this.measured = 0;
  }

  /** Blocks measured since the last reset. */
  get blocks(): number {
    return this.measured;
  }

  /** Echo power over reference power (linear; 1 until a few blocks were measured: assume the worst). */
  get coupling(): number {
    return this.measured < COUPLING_AFTER_BLOCKS ? 1 : this.mic / Math.max(this.reference, 1);
  }

  get erleDb(): number {
    return this.measured === 0 ? 0 : ratioDb(this.mic, this.residual);
  }

  get attenuationDb(): number {
    return this.measured === 0 ? 0 : ratioDb(this.mic, this.output);
  }
}

function ratioDb(numerator: number, denominator: number): number {
  return 10 * Math.log10(Math.max(numerator, 1e-9) / Math.max(denominator, 1e-9));
}
