import { formatUsdAmount } from './session-spend.js';
import { transcriptionCost, transcriptionPriceFor, type TranscriptionPrice, type TranscriptionUsage } from './transcription-pricing.js';

/**
 * What a transcription run costs: the sum of each transcript's usage at the model's price.
 * The built-in local server is free; one transcript that cannot be priced makes the
 * total unknown rather than a number that is too low.
 */
export class TranscriptionSpend {
  private total = 0;
  private unpriced = 0;
  private readonly price: TranscriptionPrice | undefined;

  constructor(private readonly model: string, private readonly free = false) {
    this.price = transcriptionPriceFor(model);
  }

  add(usage: TranscriptionUsage | undefined): void {
    if (this.free) return;
    const usd = transcriptionCost(usage, this.price);
    if (usd === undefined) this.unpriced += 1;
    else this.total += usd;
  }

  get totalUsd(): number | undefined {
    if (this.free) return 0;
    return this.unpriced ? undefined : this.total;
  }

  /** One phrase for the summary, with the cost per minute of the audio that was sent. */
  describe(audioMs: number): string {
    if (this.free) return 'free (offline)';
    if (!this.price) return `cost unknown (no published price for ${this.model} in kaiwa's table)`;
    const total = this.totalUsd;
    if (total === undefined) return `cost unknown (the service's usage for ${this.model} cannot be priced)`;
    const minutes = audioMs / 60_000;
    return minutes > 0 ? `${formatUsdAmount(total)} (${formatUsdAmount(total / minutes)} per minute of audio)` : formatUsdAmount(total);
  }
}
