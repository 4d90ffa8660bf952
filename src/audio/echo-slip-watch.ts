/** The fast measure follows about 50 ms of echo. */
const FAST_SECONDS = 0.05;
/** Below this (dB) the filter is not to be trusted right now, whatever it did before. */
const SUSPECT_DB = 10;
/** Below this, with a filter that had been removing at least `HELD_DB`, the echo path moved. */
const SLIPPED_DB = 3;
const HELD_DB = 10;

/**
 * Notices at once when the linear filter stops cancelling: the echo moved under it (a
 * speaker that ran dry for a moment and resumed late, a device that changed). It keeps a
 * fast ERLE over blocks of echo alone; a filter that held and now removes next to
 * nothing has slipped, which the canceller answers by searching the delay again at
 * once and suppressing as if it had just started.
 */
export class EchoSlipWatch {
  private readonly alpha: number;
  private mic = 0;
  private residual = 0;
  private slipped = false;

  constructor(blockSeconds: number) {
    this.alpha = Math.min(1, blockSeconds / FAST_SECONDS);
  }

  /** The fast ERLE (dB; high until echo was measured). */
  get erleDb(): number {
    return this.mic === 0 ? Infinity : 10 * Math.log10(this.mic / Math.max(this.residual, 1e-9));
  }

  /** The filter is not cancelling right now. */
  get suspect(): boolean {
    return this.erleDb < SUSPECT_DB;
  }

  /** One block; true once per slip, when the filter that held (`heldErleDb`) stops cancelling. */
  update(echoOnly: boolean, mic: number, residual: number, heldErleDb: number): boolean {
    if (!echoOnly) return false;
    this.mic += this.alpha * (mic - this.mic);
    this.residual += this.alpha * (residual - this.residual);
    const erle = this.erleDb;
    if (erle >= HELD_DB) this.slipped = false;
    if (this.slipped || erle >= SLIPPED_DB || heldErleDb < HELD_DB) return false;
    this.slipped = true;
    return true;
  }

  reset(): void {
    this.mic = 0;
    this.residual = 0;
    this.slipped = false;
  }
}
