/**
 * What SoX at `-V3` prints once its output device is open, whatever the driver
 * (PulseAudio, ALSA, CoreAudio): its "Output File" block follows sox_open_write(), which
 * for PulseAudio returns once the stream is ready. A SoX that cannot open it prints none.
 */
const OUTPUT_OPEN_LINE = /^Output File\s*:/m;
/** What is kept of SoX's stderr between reads, to find OUTPUT_OPEN_LINE however the pipe splits it. */
const KEPT_CHARS = 64;

/**
 * Watches a player's SoX for OUTPUT_OPEN_LINE: `opened` resolves once it is seen, or once
 * settle() says there is nothing more to wait for (SoX exited), or after `timeoutMs`.
 */
export class DeviceOpenWatch {
  readonly opened: Promise<void>;
  /** When the device opened, or was taken as open (performance.now()). */
  openedAt: number | undefined;
  private seen = '';
  private resolve!: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(timeoutMs: number, alreadySaid: string) {
    this.opened = new Promise<void>((resolve) => { this.resolve = resolve; });
    this.timer = setTimeout(() => this.settle(), timeoutMs);
    this.timer.unref();
    this.saw(alreadySaid);
  }

  saw(text: string): void {
    if (this.openedAt !== undefined) return;
    const recent = this.seen + text;
    if (OUTPUT_OPEN_LINE.test(recent)) return this.settle();
    this.seen = recent.slice(-KEPT_CHARS);
  }

  settle(): void {
    if (this.openedAt !== undefined) return;
    this.openedAt = performance.now();
    clearTimeout(this.timer);
    this.resolve();
  }
}
